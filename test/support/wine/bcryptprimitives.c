/*
 * A stand-in for Windows' bcryptprimitives.dll, for the Wine smoke test only (never
 * shipped). Wine 8 lacks the DLL, and libvips (sharp) imports ProcessPrng from it, so
 * sharp cannot load under Wine without it. Real Windows 10 and later have it.
 * ProcessPrng fills the buffer from the system's RNG (RtlGenRandom, advapi32's
 * SystemFunction036) and, like Windows', always reports success.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
