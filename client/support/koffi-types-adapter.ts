type Koffi = typeof import('koffi');
export type KoffiType = ReturnType<Koffi['struct']>;

/**
 * The koffi type called `name`, declared by `declare` the first time. koffi keeps a type
 * for the life of the process and refuses a second of the same name, even from a fresh
 * copy of the declaring module (a test runner's, or a second open of an adapter): a name
 * already declared is taken as it is.
 */
export function declaredOnce(koffi: Pick<Koffi, 'type'>, name: string, declare: () => KoffiType): KoffiType {
  try {
    return koffi.type(name);
  } catch {
    return declare(); // not declared yet ("Unknown or invalid type name")
  }
}
