#!/usr/bin/env node
'use strict';
// Reference implementation of the optoutgate.interop.Interop server on @grpc/grpc-js, plus a hand-written
// grpc.health.v1.Health (Check) and a minimal grpc.reflection.v1.ServerReflection (list_services only).
//
// Purpose: prove that the interop clients (python/, node/) are correct, so that a failure against the
// project's own C# server is the server's. It follows the conventions documented in ../protos/interop.proto
// and ../README.md; the C# interop server must behave the same way.
//
// Usage: node reference_server.js [--host 127.0.0.1] [--port 0]
// Prints "LISTENING <port>" on stdout once bound (port 0 = pick a free port). Stops on SIGINT/SIGTERM.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { LOADER_OPTIONS, loadInterop } = require('./protos');

// Health and reflection are defined here by hand (protobufjs JSON), independent of the repo's protos/,
// so that the reference server works on its own.
const HEALTH_JSON = {
  nested: { grpc: { nested: { health: { nested: { v1: { nested: {
    HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
    HealthCheckResponse: {
      fields: { status: { type: 'ServingStatus', id: 1 } },
      nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
    },
    Health: { methods: {
      Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' },
    } },
  } } } } } } },
};

const REFLECTION_JSON = {
  nested: { grpc: { nested: { reflection: { nested: { v1: { nested: {
    ServerReflectionRequest: {
      oneofs: { message_request: { oneof: ['file_by_filename', 'file_containing_symbol',
        'file_containing_extension', 'all_extension_numbers_of_type', 'list_services'] } },
      fields: {
        host: { type: 'string', id: 1 },
        file_by_filename: { type: 'string', id: 3 },
        file_containing_symbol: { type: 'string', id: 4 },
        file_containing_extension: { type: 'ExtensionRequest', id: 5 },
        all_extension_numbers_of_type: { type: 'string', id: 6 },
        list_services: { type: 'string', id: 7 },
      },
    },
    ExtensionRequest: { fields: { containing_type: { type: 'string', id: 1 }, extension_number: { type: 'int32', id: 2 } } },
    ServerReflectionResponse: {
      oneofs: { message_response: { oneof: ['file_descriptor_response', 'all_extension_numbers_response',
        'list_services_response', 'error_response'] } },
      fields: {
        valid_host: { type: 'string', id: 1 },
        original_request: { type: 'ServerReflectionRequest', id: 2 },
        file_descriptor_response: { type: 'FileDescriptorResponse', id: 4 },
        all_extension_numbers_response: { type: 'ExtensionNumberResponse', id: 5 },
        list_services_response: { type: 'ListServiceResponse', id: 6 },
        error_response: { type: 'ErrorResponse', id: 7 },
      },
    },
    FileDescriptorResponse: { fields: { file_descriptor_proto: { rule: 'repeated', type: 'bytes', id: 1 } } },
    ExtensionNumberResponse: { fields: { base_type_name: { type: 'string', id: 1 }, extension_number: { rule: 'repeated', type: 'int32', id: 2 } } },
    ListServiceResponse: { fields: { service: { rule: 'repeated', type: 'ServiceResponse', id: 1 } } },
    ServiceResponse: { fields: { name: { type: 'string', id: 1 } } },
    ErrorResponse: { fields: { error_code: { type: 'int32', id: 1 }, error_message: { type: 'string', id: 2 } } },
    ServerReflection: { methods: {
      ServerReflectionInfo: { requestType: 'ServerReflectionRequest', requestStream: true,
        responseType: 'ServerReflectionResponse', responseStream: true },
    } },
  } } } } } } },
};

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

function parseArgs(argv) {
  const out = { host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z_]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${a}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (m[1] === 'host') out.host = v;
    else if (m[1] === 'port') out.port = Number(v);
    else throw new Error(`unknown option --${m[1]}`);
  }
  return out;
}

// Initial metadata to send back: the echoed x-grpc-test-echo-initial, if the client sent it.
function echoInitial(call) {
  const md = new grpc.Metadata();
  for (const v of call.metadata.get(ECHO_INITIAL)) md.add(ECHO_INITIAL, v);
  return md;
}

// Trailing metadata to send back: the echoed x-grpc-test-echo-trailing-bin, if the client sent it.
function echoTrailing(call) {
  const md = new grpc.Metadata();
  for (const v of call.metadata.get(ECHO_TRAILING)) md.add(ECHO_TRAILING, v);
  return md;
}

// Sends initial metadata right away when there is some to echo (grpc-js would otherwise send it
// together with the first message, or fold it into a Trailers-Only response).
function sendEchoInitial(call) {
  const md = echoInitial(call);
  if (Object.keys(md.getMap()).length > 0) call.sendMetadata(md);
}

function zeros(n) { return Buffer.alloc(n); }

function statusOf(req) {
  const s = req.response_status;
  return s && s.code ? { code: s.code, details: s.message } : null;
}

const sleepUs = (us) => new Promise((r) => setTimeout(r, Math.ceil((us || 0) / 1000)));

const interopImpl = {
  EmptyCall(call, cb) {
    sendEchoInitial(call);
    cb(null, {}, echoTrailing(call));
  },

  UnaryCall(call, cb) {
    sendEchoInitial(call);
    const st = statusOf(call.request);
    if (st) return cb({ ...st, metadata: echoTrailing(call) });
    cb(null, { payload: { body: zeros(call.request.response_size) } }, echoTrailing(call));
  },

  async StreamingOutputCall(call) {
    sendEchoInitial(call);
    let cancelled = false;
    call.on('cancelled', () => { cancelled = true; });
    for (const p of call.request.response_parameters) {
      await sleepUs(p.interval_us);
      if (cancelled) return;
      call.write({ payload: { body: zeros(p.size) } });
    }
    const st = statusOf(call.request);
    if (st) return call.emit('error', { ...st, metadata: echoTrailing(call) });
    call.end(echoTrailing(call));
  },

  StreamingInputCall(call, cb) {
    sendEchoInitial(call);
    let total = 0;
    call.on('data', (req) => { total += req.payload ? req.payload.body.length : 0; });
    call.on('end', () => cb(null, { aggregated_payload_size: total }, echoTrailing(call)));
    call.on('error', () => {});
  },

  FullDuplexCall(call) {
    sendEchoInitial(call);
    let chain = Promise.resolve();
    let done = false;
    call.on('cancelled', () => { done = true; });
    call.on('error', () => { done = true; });
    call.on('data', (req) => {
      chain = chain.then(async () => {
        if (done) return;
        for (const p of req.response_parameters) {
          await sleepUs(p.interval_us);
          if (done) return;
          call.write({ payload: { body: zeros(p.size) } });
        }
        const st = statusOf(req);
        if (st && !done) {
          done = true;
          call.emit('error', { ...st, metadata: echoTrailing(call) });
        }
      });
    });
    call.on('end', () => {
      chain = chain.then(() => {
        if (done) return;
        done = true;
        call.end(echoTrailing(call));
      });
    });
  },

  HalfDuplexCall(call) {
    sendEchoInitial(call);
    const reqs = [];
    let cancelled = false;
    call.on('cancelled', () => { cancelled = true; });
    call.on('error', () => { cancelled = true; });
    call.on('data', (req) => reqs.push(req));
    call.on('end', async () => {
      for (const req of reqs) {
        for (const p of req.response_parameters) {
          await sleepUs(p.interval_us);
          if (cancelled) return;
          call.write({ payload: { body: zeros(p.size) } });
        }
        const st = statusOf(req);
        if (st) return call.emit('error', { ...st, metadata: echoTrailing(call) });
      }
      call.end(echoTrailing(call));
    });
  },
  // UnimplementedCall is deliberately not implemented: grpc-js answers UNIMPLEMENTED (12).
};

function main() {
  const args = parseArgs(process.argv.slice(2));
  const interop = grpc.loadPackageDefinition(loadInterop()).optoutgate.interop;
  const health = grpc.loadPackageDefinition(protoLoader.fromJSON(HEALTH_JSON, LOADER_OPTIONS)).grpc.health.v1;
  const reflection = grpc.loadPackageDefinition(protoLoader.fromJSON(REFLECTION_JSON, LOADER_OPTIONS)).grpc.reflection.v1;

  const served = ['optoutgate.interop.Interop', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection'];
  const healthStatus = new Map([['', 'SERVING'], ['optoutgate.interop.Interop', 'SERVING']]);

  const server = new grpc.Server();
  server.addService(interop.Interop.service, interopImpl);
  server.addService(health.Health.service, {
    Check(call, cb) {
      const s = healthStatus.get(call.request.service);
      if (s === undefined) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
      cb(null, { status: s });
    },
  });
  server.addService(reflection.ServerReflection.service, {
    ServerReflectionInfo(call) {
      call.on('data', (req) => {
        if (req.message_request === 'list_services') {
          call.write({ valid_host: req.host, original_request: req,
            list_services_response: { service: served.map((name) => ({ name })) } });
        } else {
          call.write({ valid_host: req.host, original_request: req,
            error_response: { error_code: grpc.status.UNIMPLEMENTED, error_message: 'reference server: list_services only' } });
        }
      });
      call.on('end', () => call.end());
      call.on('error', () => {});
    },
  });

  server.bindAsync(`${args.host}:${args.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) { console.error(`bind failed: ${err.message}`); process.exit(1); }
    console.log(`LISTENING ${port}`);
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
