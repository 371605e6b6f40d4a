#!/usr/bin/env node
'use strict';
// Independent gRPC interop client for OptOutGate, on @grpc/grpc-js + @grpc/proto-loader.
//
//   cd tests/interop/node && npm ci
//   node interop_client.js --host 127.0.0.1 --port 50051 --test_case all
//
// Protos are loaded at run time (see protos.js): ../protos/interop.proto, and health/reflection from
// <proto_root> (default: the repository's protos/; --proto_root or $INTEROP_PROTO_ROOT override it).
//
// Output: one line per case, "OK: <case>", "FAIL: <case>: <reason>" or "SKIP: <case>: <reason>", then
// "N passed, N failed, N skipped". Exit code: 0 = no case failed; 1 = at least one failure; 2 = bad usage.
// A case whose proto is missing fails, unless --skip_missing_protos is given (then it is skipped).
const grpc = require('@grpc/grpc-js');
const path = require('path');
const protos = require('./protos');

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';
const INITIAL_VALUE = 'test_initial_metadata_value';
const TRAILING_VALUE = Buffer.from([0xab, 0xab, 0xab]);

const SPECIAL_STATUS_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1f608}\t\n';
const NON_ASCII_MESSAGE = '\u00c9tat: opt-out refus\u00e9 \u2014 \u9000\u8ba2';
const MIB = 1024 * 1024;
const LARGE_MESSAGE_SIZE = 3 * MIB;
const CHANNEL_MAX_MESSAGE = 8 * MIB;
const S = grpc.status;

const ALL_CASES = [
  'empty_unary', 'large_unary', 'client_streaming', 'server_streaming', 'ping_pong', 'empty_stream',
  'status_code_and_message', 'special_status_message', 'non_ascii_message', 'timeout_on_sleeping_server',
  'cancel_after_begin', 'cancel_after_first_response', 'custom_metadata', 'large_message',
  'unimplemented_method', 'unimplemented_service', 'health_check', 'reflection_list', 'response_interval',
];
// Cases that exist but are not part of "all" (the server method is optional).
const EXTRA_CASES = ['half_duplex'];

class CaseFailed extends Error {}
class CaseSkipped extends Error {}

function check(cond, message) {
  if (!cond) throw new CaseFailed(message);
}

const codeName = (code) => Object.keys(S).find((k) => S[k] === code) || String(code);

// Awaits promise, which must reject with a gRPC error of `code` (and exact `details` if given).
async function expectError(promise, code, details) {
  let res;
  try {
    res = await promise;
  } catch (e) {
    if (e instanceof CaseFailed) throw e;
    check(e.code === code, `expected ${codeName(code)}, got ${codeName(e.code)} (${JSON.stringify(e.details)})`);
    if (details !== undefined) {
      check(e.details === details,
        `status message mismatch: expected ${JSON.stringify(details)}, got ${JSON.stringify(e.details)}`);
    }
    return e;
  }
  throw new CaseFailed(`expected ${codeName(code)}, but the call succeeded (${JSON.stringify(res).slice(0, 200)})`);
}

// Runs a unary (or client-streaming) call; resolves {response, initial, status}, rejects with the error
// (carrying .initial). `start(cb)` must start the call with the callback and return the call object.
function unary(start) {
  return new Promise((resolve, reject) => {
    let initial = null;
    let response;
    let error = null;
    let callbackDone = false;
    let status = null;
    const finish = () => {
      if (!callbackDone || !status) return;
      if (error) { error.initial = initial; reject(error); } else resolve({ response, initial, status });
    };
    const call = start((err, resp) => { error = err; response = resp; callbackDone = true; finish(); });
    call.on('metadata', (md) => { initial = md; });
    call.on('status', (st) => { status = st; finish(); });
  });
}

// Reads a response stream message by message: await reader.next() → message or null at the end (OK).
// A non-OK end rejects next() with the error.
class StreamReader {
  constructor(call) {
    this.call = call;
    this.buffered = [];
    this.waiters = [];
    this.ended = false;
    this.error = null;
    this.initial = null;
    this.status = null;
    call.on('metadata', (md) => { this.initial = md; });
    call.on('data', (m) => this._push({ m }));
    call.on('error', (e) => { this.error = e; });
    // grpc-js may emit 'status' before the last buffered 'data' events; 'end' comes after all of them.
    // So the stream is over at 'status' for a failed call, and at 'status' + 'end' for an OK one.
    let sawEnd = false;
    const maybeEnd = () => {
      if (this.ended || !this.status || (this.status.code === S.OK && !sawEnd)) return;
      this.ended = true;
      this._push({ end: true });
    };
    call.on('end', () => { sawEnd = true; maybeEnd(); });
    call.on('status', (st) => { this.status = st; maybeEnd(); });
  }

  _push(item) {
    if (this.waiters.length) this.waiters.shift()(item); else this.buffered.push(item);
  }

  next() {
    const item = this.buffered.length ? this.buffered.shift()
      : new Promise((r) => this.waiters.push(r));
    return Promise.resolve(item).then((it) => {
      if (it.end) {
        this.buffered.unshift(it); // stay at the end for further next() calls
        if (this.status.code !== S.OK) throw this.error || Object.assign(new Error(this.status.details), this.status);
        return null;
      }
      return it.m;
    });
  }

  async all() {
    const out = [];
    for (let m = await this.next(); m !== null; m = await this.next()) out.push(m);
    return out;
  }
}

class Context {
  constructor(args) {
    this.args = args;
    this.timeoutMs = args.timeout_s * 1000;
    const interopPkg = grpc.loadPackageDefinition(protos.loadInterop()).optoutgate.interop;
    this.Interop = interopPkg.Interop;
    this.address = `${args.host}:${args.port}`;
    this.channelOptions = {
      'grpc.max_send_message_length': CHANNEL_MAX_MESSAGE,
      'grpc.max_receive_message_length': CHANNEL_MAX_MESSAGE,
    };
    this.stub = new this.Interop(this.address, grpc.credentials.createInsecure(), this.channelOptions);
    this.root = protos.protoRoot(args.proto_root);
  }

  opts(ms) { return { deadline: Date.now() + (ms === undefined ? this.timeoutMs : ms) }; }

  payload(n) { return { body: Buffer.alloc(n) }; }

  outRequest(sizes, payloadSize = 0, intervalsUs = null, status = null) {
    const req = {
      response_parameters: sizes.map((size, i) => ({ size, interval_us: intervalsUs ? intervalsUs[i] : 0 })),
      payload: this.payload(payloadSize),
    };
    if (status) req.response_status = { code: status[0], message: status[1] };
    return req;
  }

  checkPayload(resp, size, what) {
    const body = resp && resp.payload ? resp.payload.body : Buffer.alloc(0);
    check(body.length === size, `${what}: expected ${size} payload bytes, got ${body.length}`);
    check(body.equals(Buffer.alloc(size)), `${what}: payload is not all zero bytes`);
  }

  // Loads a client class from a proto under the proto root; fails (or skips) when the file is absent.
  loadFromRoot(rel, pkgPath, service) {
    const { def, file } = protos.loadFromRoot(this.root, rel);
    if (!def) {
      const msg = `${file} not found`;
      throw this.args.skip_missing_protos ? new CaseSkipped(msg) : new CaseFailed(msg);
    }
    let obj = grpc.loadPackageDefinition(def);
    for (const part of pkgPath.split('.')) obj = obj[part];
    return new obj[service](this.address, grpc.credentials.createInsecure(), this.channelOptions);
  }

  close() { this.stub.close(); }
}

// Cases ----------------------------------------------------------------------------------------

const cases = {
  async empty_unary(c) {
    const { response } = await unary((cb) => c.stub.EmptyCall({}, c.opts(), cb));
    check(response && Object.keys(response).length === 0, `response is not Empty: ${JSON.stringify(response)}`);
  },

  async large_unary(c) {
    const req = { response_size: 314159, payload: c.payload(271828) };
    const { response } = await unary((cb) => c.stub.UnaryCall(req, c.opts(), cb));
    c.checkPayload(response, 314159, 'response');
  },

  async client_streaming(c) {
    const { response } = await unary((cb) => {
      const call = c.stub.StreamingInputCall(c.opts(), cb);
      for (const n of [27182, 8, 1828, 45904]) call.write({ payload: c.payload(n) });
      call.end();
      return call;
    });
    check(response.aggregated_payload_size === 74922,
      `aggregated_payload_size ${response.aggregated_payload_size}, expected 74922`);
  },

  async server_streaming(c) {
    const sizes = [31415, 9, 2653, 58979];
    const reader = new StreamReader(c.stub.StreamingOutputCall(c.outRequest(sizes), c.opts()));
    const got = await reader.all();
    check(got.length === sizes.length, `expected ${sizes.length} responses, got ${got.length}`);
    got.forEach((r, i) => c.checkPayload(r, sizes[i], `response ${i}`));
  },

  async ping_pong(c) {
    const reqSizes = [27182, 8, 1828, 45904];
    const respSizes = [31415, 9, 2653, 58979];
    const call = c.stub.FullDuplexCall(c.opts());
    const reader = new StreamReader(call);
    try {
      for (let i = 0; i < reqSizes.length; i++) {
        call.write(c.outRequest([respSizes[i]], reqSizes[i]));
        const resp = await reader.next();
        check(resp !== null, `stream ended before response ${i}`);
        c.checkPayload(resp, respSizes[i], `response ${i}`);
      }
      call.end();
      const rest = await reader.all();
      check(rest.length === 0, `${rest.length} unexpected extra responses after half-close`);
    } finally {
      call.cancel();
    }
  },

  async empty_stream(c) {
    const call = c.stub.FullDuplexCall(c.opts());
    const reader = new StreamReader(call);
    call.end();
    const got = await reader.all();
    check(got.length === 0, `expected no responses, got ${got.length}`);
  },

  async status_code_and_message(c) { await echoStatus(c, S.UNKNOWN, 'test status message', true); },

  async special_status_message(c) { await echoStatus(c, S.UNKNOWN, SPECIAL_STATUS_MESSAGE, false); },

  async non_ascii_message(c) { await echoStatus(c, S.UNKNOWN, NON_ASCII_MESSAGE, true); },

  async timeout_on_sleeping_server(c) {
    const start = Date.now();
    const call = c.stub.FullDuplexCall(c.opts(1));
    const reader = new StreamReader(call);
    try {
      call.write(c.outRequest([31415], 27182, [2000000]));
      await expectError(reader.all(), S.DEADLINE_EXCEEDED);
      const elapsed = Date.now() - start;
      check(elapsed < 1500, `DEADLINE_EXCEEDED took ${elapsed} ms for a 1 ms deadline`);
    } finally {
      call.cancel();
    }
  },

  async cancel_after_begin(c) {
    await expectError(unary((cb) => {
      const call = c.stub.StreamingInputCall(c.opts(), cb);
      call.cancel();
      return call;
    }), S.CANCELLED);
  },

  async cancel_after_first_response(c) {
    const call = c.stub.FullDuplexCall(c.opts());
    const reader = new StreamReader(call);
    call.write(c.outRequest([31415], 27182));
    const first = await reader.next();
    check(first !== null, 'stream ended before the first response');
    c.checkPayload(first, 31415, 'first response');
    call.cancel();
    await expectError(reader.all(), S.CANCELLED);
  },

  async custom_metadata(c) {
    const md = () => {
      const m = new grpc.Metadata();
      m.set(ECHO_INITIAL, INITIAL_VALUE);
      m.set(ECHO_TRAILING, TRAILING_VALUE);
      return m;
    };
    const checkEcho = (initial, trailing, what, wantInitial = true) => {
      if (wantInitial) {
        const got = initial ? initial.get(ECHO_INITIAL) : [];
        check(got.length === 1 && got[0] === INITIAL_VALUE,
          `${what}: initial metadata ${ECHO_INITIAL} = ${JSON.stringify(got)}, expected ["${INITIAL_VALUE}"]`);
      }
      const got = trailing ? trailing.get(ECHO_TRAILING) : [];
      check(got.length === 1 && Buffer.isBuffer(got[0]) && got[0].equals(TRAILING_VALUE),
        `${what}: trailing metadata ${ECHO_TRAILING} = ${JSON.stringify(got)}, expected <Buffer ab ab ab>`);
    };
    // Unary.
    const req = { response_size: 314159, payload: c.payload(271828) };
    const u = await unary((cb) => c.stub.UnaryCall(req, md(), c.opts(), cb));
    c.checkPayload(u.response, 314159, 'unary response');
    checkEcho(u.initial, u.status.metadata, 'unary');
    // Full duplex: one request, half-close, read everything.
    const call = c.stub.FullDuplexCall(md(), c.opts());
    const reader = new StreamReader(call);
    call.write(c.outRequest([314159], 271828));
    call.end();
    const got = await reader.all();
    check(got.length === 1, `duplex: expected 1 response, got ${got.length}`);
    c.checkPayload(got[0], 314159, 'duplex response');
    checkEcho(reader.initial, reader.status.metadata, 'duplex');
    // Unary failing with an echoed status: the trailing echo must still arrive (Trailers-Only or trailers).
    const bad = { response_size: 1, response_status: { code: S.UNKNOWN, message: 'echo with metadata' } };
    const err = await expectError(unary((cb) => c.stub.UnaryCall(bad, md(), c.opts(), cb)),
      S.UNKNOWN, 'echo with metadata');
    checkEcho(null, err.metadata, 'unary error', false);
  },

  async large_message(c) {
    const req = { response_size: LARGE_MESSAGE_SIZE, payload: c.payload(LARGE_MESSAGE_SIZE) };
    const { response } = await unary((cb) => c.stub.UnaryCall(req, c.opts(), cb));
    c.checkPayload(response, LARGE_MESSAGE_SIZE, 'response');
  },

  async unimplemented_method(c) {
    await expectError(unary((cb) => c.stub.UnimplementedCall({}, c.opts(), cb)), S.UNIMPLEMENTED);
  },

  async unimplemented_service(c) {
    const m = c.Interop.service.EmptyCall;
    await expectError(unary((cb) => c.stub.makeUnaryRequest(
      '/optoutgate.interop.UnimplementedService/UnimplementedCall',
      m.requestSerialize, m.responseDeserialize, {}, new grpc.Metadata(), c.opts(), cb)), S.UNIMPLEMENTED);
  },

  async health_check(c) {
    const health = c.loadFromRoot(protos.HEALTH_REL, 'grpc.health.v1', 'Health');
    try {
      const { response } = await unary((cb) => health.Check({ service: '' }, c.opts(), cb));
      check(response.status === 'SERVING', `overall status ${response.status}, expected SERVING`);
      await expectError(unary((cb) => health.Check({ service: 'optoutgate.interop.NoSuchService' }, c.opts(), cb)),
        S.NOT_FOUND);
    } finally {
      health.close();
    }
  },

  async reflection_list(c) {
    const refl = c.loadFromRoot(protos.REFLECTION_REL, 'grpc.reflection.v1', 'ServerReflection');
    const call = refl.ServerReflectionInfo(c.opts());
    try {
      const reader = new StreamReader(call);
      // list_services = "*" (what grpcurl sends); the python client sends "" to cover the empty case.
      call.write({ host: '', list_services: '*' });
      // The answer must come while the request stream is still open (grpcurl/ghz wait for it).
      const resp = await reader.next();
      check(resp !== null, 'stream ended without a response');
      check(resp.message_response === 'list_services_response',
        `expected list_services_response, got ${resp.message_response}: ${JSON.stringify(resp)}`);
      const names = resp.list_services_response.service.map((s) => s.name);
      for (const want of ['optoutgate.interop.Interop', 'grpc.health.v1.Health']) {
        check(names.includes(want), `list_services lacks ${want}: ${JSON.stringify(names)}`);
      }
      call.end();
      const rest = await reader.all();
      check(rest.length === 0, `${rest.length} unexpected responses after half-close`);
    } finally {
      call.cancel();
      refl.close();
    }
  },

  async response_interval(c) {
    // 3 responses, each to be sent after a 100 ms sleep: they must not arrive early.
    const start = process.hrtime.bigint();
    const reader = new StreamReader(c.stub.StreamingOutputCall(c.outRequest([1, 1, 1], 0, [100000, 100000, 100000]), c.opts()));
    const arrivals = [];
    for (let m = await reader.next(); m !== null; m = await reader.next()) {
      arrivals.push(Number(process.hrtime.bigint() - start) / 1e6);
      c.checkPayload(m, 1, `response ${arrivals.length}`);
    }
    check(arrivals.length === 3, `expected 3 responses, got ${arrivals.length}`);
    // Response i (0-based) cannot be sent before (i+1) * 100 ms (10 ms slack for timer granularity);
    // cumulative times are used because transport delays only ever make arrivals later.
    const early = arrivals.filter((t, i) => t < (i + 1) * 90);
    check(early.length === 0,
      `interval_us not honoured: responses arrived at ${arrivals.map((t) => t.toFixed(1)).join(', ')} ms, expected >= 100, 200, 300`);
  },

  async half_duplex(c) {
    const sizes = [31415, 9, 2653, 58979];
    const call = c.stub.HalfDuplexCall(c.opts());
    const reader = new StreamReader(call);
    for (const n of sizes) call.write(c.outRequest([n], 8));
    call.end();
    const got = await reader.all();
    check(got.length === sizes.length, `expected ${sizes.length} responses, got ${got.length}`);
    got.forEach((r, i) => c.checkPayload(r, sizes[i], `response ${i}`));
  },
};

// Unary (and duplex) call asking the server to end with (code, message); checks the exact round-trip.
async function echoStatus(c, code, message, duplex) {
  const req = { response_size: 1, response_status: { code, message } };
  await expectError(unary((cb) => c.stub.UnaryCall(req, c.opts(), cb)), code, message);
  if (duplex) {
    const call = c.stub.FullDuplexCall(c.opts());
    const reader = new StreamReader(call);
    call.write(c.outRequest([1], 0, null, [code, message]));
    call.end();
    await expectError(reader.all(), code, message);
  }
}

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node ${path.basename(__filename)} --port N [--host H] [--test_case all|a,b,...] `
    + '[--proto_root DIR] [--timeout_s S] [--skip_missing_protos]\n'
    + `cases: ${ALL_CASES.concat(EXTRA_CASES).join(', ')}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: null, test_case: 'all', proto_root: null, timeout_s: 20,
    skip_missing_protos: false };
  const alias = { server_host: 'host', server_port: 'port' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z_]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) usage(`unexpected argument ${argv[i]}`);
    const key = alias[m[1]] || m[1];
    if (key === 'skip_missing_protos') { args.skip_missing_protos = true; continue; }
    if (!(key in args)) usage(`unknown option --${m[1]}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (v === undefined) usage(`--${m[1]} needs a value`);
    args[key] = v;
  }
  args.port = Number(args.port);
  if (!Number.isInteger(args.port) || args.port <= 0) usage('--port is required');
  args.timeout_s = Number(args.timeout_s);
  args.cases = [];
  for (const s of args.test_case.split(',').map((x) => x.trim()).filter(Boolean)) {
    for (const name of s === 'all' ? ALL_CASES : [s]) if (!args.cases.includes(name)) args.cases.push(name);
  }
  const unknown = args.cases.filter((n) => !(n in cases));
  if (unknown.length || !args.cases.length) usage(`unknown test case(s): ${unknown.join(', ') || '(none)'}`);
  return args;
}

function describe(e) {
  if (e && typeof e.code === 'number' && 'details' in e) return `RPC failed: ${codeName(e.code)} ${JSON.stringify(e.details)}`;
  return `${e && e.name ? e.name : 'Error'}: ${e && e.message ? e.message : e}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const c = new Context(args);
  await new Promise((resolve) => c.stub.waitForReady(Date.now() + c.timeoutMs, (err) => {
    if (err) process.stderr.write(`WARN: channel to ${c.address} not ready: ${err.message}; running cases anyway\n`);
    resolve();
  }));
  let passed = 0; let failed = 0; let skipped = 0;
  for (const name of args.cases) {
    try {
      await cases[name](c);
      passed++;
      console.log(`OK: ${name}`);
    } catch (e) {
      if (e instanceof CaseSkipped) {
        skipped++;
        console.log(`SKIP: ${name}: ${e.message}`);
      } else {
        failed++;
        console.log(`FAIL: ${name}: ${e instanceof CaseFailed ? e.message : describe(e)}`);
        if (process.env.INTEROP_DEBUG && !(e instanceof CaseFailed)) console.error(e);
      }
    }
  }
  c.close();
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  // Exit explicitly: grpc-js can keep a timer of an already-cancelled call alive (seen after
  // cancel_after_begin) until that call's deadline, which would delay exit by --timeout_s.
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
