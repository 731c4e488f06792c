/** The wire format shared by the relay, the client agent and the technician viewer. */
export * from './version';
export * from './close-codes';
export * from './errors';
export * from './input';
export * from './messages';
export * from './frame';
export * from './image-size';
export * from './codec';
export * from './base64url';
export * from './cursor';
export * from './resume';
