/**
 * The protobuf wire format, just enough of it to read and write ONNX files.
 *
 * Hand-written rather than protobufjs: we read a handful of fields from untrusted
 * multi-megabyte files and must skip tensor payloads without copying them, in the
 * browser and in Node, with no generated code or schema loading. Uint8Array only.
 */
export { ProtoReader } from './protobuf/reader.js';
export { ProtoWriter } from './protobuf/writer.js';
export { WireType } from './protobuf/wire.js';
