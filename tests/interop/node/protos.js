'use strict';
// Locates and loads the protos used by the Node interop client.
//
//   tests/interop/protos/interop.proto        (owned by the interop suite)
//   <proto_root>/grpc/health/v1/health.proto   (owned by the server project, repo-root protos/)
//   <proto_root>/grpc/reflection/v1/reflection.proto
//
// <proto_root> defaults to the repository's protos/ folder; override with --proto_root or the
// INTEROP_PROTO_ROOT environment variable.
const fs = require('fs');
const path = require('path');
const protoLoader = require('@grpc/proto-loader');

const INTEROP_PROTO_DIR = path.resolve(__dirname, '..', 'protos');
const DEFAULT_PROTO_ROOT = path.resolve(__dirname, '..', '..', '..', 'protos');
const HEALTH_REL = 'grpc/health/v1/health.proto';
const REFLECTION_REL = 'grpc/reflection/v1/reflection.proto';

// Options shared by every load: field names as written in the .proto, bytes as Buffer,
// enums as their names, default values materialised, oneofs reported by a virtual field.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

function protoRoot(explicit) {
  return path.resolve(explicit || process.env.INTEROP_PROTO_ROOT || DEFAULT_PROTO_ROOT);
}

// Loads interop.proto (always present) and returns the package definition.
function loadInterop() {
  return protoLoader.loadSync('interop.proto', { ...LOADER_OPTIONS, includeDirs: [INTEROP_PROTO_DIR] });
}

// Loads a proto from the proto root; returns null (and the path it looked at) when it is absent.
function loadFromRoot(root, rel) {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) return { def: null, file };
  return { def: protoLoader.loadSync(rel, { ...LOADER_OPTIONS, includeDirs: [root] }), file };
}

module.exports = {
  LOADER_OPTIONS, INTEROP_PROTO_DIR, DEFAULT_PROTO_ROOT, HEALTH_REL, REFLECTION_REL,
  protoRoot, loadInterop, loadFromRoot,
};
