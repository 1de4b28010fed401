#!/usr/bin/env node
// run.js - ONNX Runtime as kiln's oracle: runs a model, writes its outputs as .npy.
//
//   node tools/ort/run.js MODEL.onnx [--input NAME=FILE.npy ...] [--random-input SEED]
//        [--batch N] [--output-dir DIR] [--threads N] [--bench N] [--json]
//        [--optimization disabled|basic|extended|all]
//
// ONNX Runtime's CPU execution provider with every graph optimization on
// ('all', unless --optimization says otherwise), as a user would run it. Each output is written to DIR/<name>.npy
// (C order; float outputs as float32 '<f4'), the file name being the output
// name with every character outside [A-Za-z0-9._-] replaced by '_'
// ("/fc/Gemm_output_0" -> "_fc_Gemm_output_0.npy"; "", "." and ".." get an
// "output_" prefix), the names `kiln run --output-dir` uses.
//
// --random-input SEED feeds every input not given with --input the values
// `kiln run --random-input SEED` uses (compiler/driver/TensorIO.h): input i (in
// the model's input order) from SplitMix64 seeded with
// SEED ^ (i + 1) * 0x9e3779b97f4a7c15, floats (next() >> 40) / 2^23 - 1 in
// [-1, 1), int64s next() >> 60, C order; symbolic dimensions are --batch
// (default 1). `kiln-make-input --seed SEED --stream i` writes the same.
//
// --bench N runs the model max(3, N/10) times to warm up, then N times, and
// prints the median (and min) latency in ms; --json prints it as one JSON
// line instead. ONNX Runtime is required from tools/ort/node_modules
// (`cd tools/ort && npm install --ignore-scripts`); without it this script
// fails, loudly, with exit code 2.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message, code = 1) {
  process.stderr.write(`error: run.js: ${message}\n`);
  process.exit(code);
}

let ort;
try {
  ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  fail(`cannot load onnxruntime-node from ${path.join(__dirname, 'node_modules')} ` +
       `(${e.message.split('\n')[0]}); install it with ` +
       '`cd tools/ort && npm install --ignore-scripts` or scripts/setup.sh', 2);
}

// .npy element types <-> ONNX Runtime tensor types.
const NPY_TYPES = {
  '<f4': { type: 'float32', array: Float32Array },
  '<f8': { type: 'float64', array: Float64Array },
  '<i8': { type: 'int64', array: BigInt64Array },
  '<i4': { type: 'int32', array: Int32Array },
  '<i2': { type: 'int16', array: Int16Array },
  '|i1': { type: 'int8', array: Int8Array },
  '|u1': { type: 'uint8', array: Uint8Array },
  '|b1': { type: 'bool', array: Uint8Array },
};
const ORT_TO_NPY = Object.fromEntries(Object.entries(NPY_TYPES).map(([d, t]) => [t.type, d]));

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
    fail(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) fail(`${file}: malformed .npy header`);
  if (fortran[1] === 'True') fail(`${file}: Fortran-order arrays are not supported`);
  const t = NPY_TYPES[descr[1]];
  if (!t) fail(`${file}: unsupported element type '${descr[1]}'`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = count * t.array.BYTES_PER_ELEMENT;
  if (buf.length < offset + bytes) fail(`${file}: truncated data`);
  // Copy: typed arrays need an offset aligned to their element size.
  const data = new t.array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + bytes));
  return new ort.Tensor(t.type, data, dims);
}

function writeNpy(file, tensor) {
  const descr = ORT_TO_NPY[tensor.type];
  if (!descr) fail(`output type '${tensor.type}' cannot be written as .npy`);
  const dims = tensor.dims.length === 1 ? `${tensor.dims[0]},` : tensor.dims.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(file, Buffer.concat([
    pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

// kiln's random inputs (compiler/driver/TensorIO.cpp, randomTensor).
function randomTensor(type, seed, stream, dims) {
  const mask = (1n << 64n) - 1n;
  const golden = 0x9e3779b97f4a7c15n;
  let state = (BigInt(seed) ^ ((BigInt(stream) + 1n) * golden)) & mask;
  const next = () => {
    state = (state + golden) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return z ^ (z >> 31n);
  };
  const count = dims.reduce((a, b) => a * b, 1);
  if (type === 'float32') {
    const data = new Float32Array(count);
    for (let i = 0; i < count; ++i) data[i] = Number(next() >> 40n) * 2 ** -23 - 1;
    return new ort.Tensor('float32', data, dims);
  }
  if (type === 'int64') {
    const data = new BigInt64Array(count);
    for (let i = 0; i < count; ++i) data[i] = next() >> 60n;
    return new ort.Tensor('int64', data, dims);
  }
  fail(`--random-input makes float32 and int64 tensors, not ${type}`);
}

function sanitize(name) {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return s === '' || s === '.' || s === '..' ? 'output_' + s : s;
}

function parseArgs(argv) {
  const a = { model: null, inputs: [], randomSeed: null, batch: 1, optimization: 'all', outputDir: null, threads: 0, bench: 0, json: false };
  const value = (i, flag) => {
    if (i + 1 >= argv.length) fail(`${flag} needs a value`);
    return argv[i + 1];
  };
  const positiveInt = (s, flag) => {
    if (!/^\d+$/.test(s)) fail(`${flag} needs a non-negative integer, not '${s}'`);
    return Number(s);
  };
  for (let i = 0; i < argv.length; ++i) {
    const f = argv[i];
    if (f === '-h' || f === '--help') {
      const lines = fs.readFileSync(__filename, 'utf8').split('\n').slice(1);
      const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
      process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else if (f === '--input') {
      const v = value(i++, f);
      const eq = v.lastIndexOf('=');
      if (eq <= 0) fail(`--input needs NAME=FILE.npy, not '${v}'`);
      a.inputs.push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (f === '--random-input') {
      a.randomSeed = positiveInt(value(i++, f), f);
    } else if (f === '--batch') {
      a.batch = positiveInt(value(i++, f), f);
      if (a.batch < 1) fail('--batch must be at least 1');
    } else if (f === '--optimization') {
      a.optimization = value(i++, f);
      if (!['disabled', 'basic', 'extended', 'all'].includes(a.optimization))
        fail('--optimization is disabled, basic, extended or all');
    } else if (f === '--output-dir') {
      a.outputDir = value(i++, f);
    } else if (f === '--threads') {
      a.threads = positiveInt(value(i++, f), f);
    } else if (f === '--bench') {
      a.bench = positiveInt(value(i++, f), f);
    } else if (f === '--json') {
      a.json = true;
    } else if (f.startsWith('-')) {
      fail(`unknown option '${f}' (see --help)`);
    } else if (a.model === null) {
      a.model = f;
    } else {
      fail(`unexpected argument '${f}'`);
    }
  }
  if (a.model === null) fail('missing MODEL.onnx (see --help)');
  if (a.outputDir === null && a.bench === 0) fail('nothing to do: give --output-dir and/or --bench');
  return a;
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const options = { graphOptimizationLevel: args.optimization, executionMode: 'sequential' };
  if (args.threads > 0) {
    options.intraOpNumThreads = args.threads;
    options.interOpNumThreads = 1;
  }
  let session;
  try {
    session = await ort.InferenceSession.create(args.model, options);
  } catch (e) {
    fail(`ONNX Runtime cannot load ${args.model}: ${e.message}`);
  }

  const feeds = {};
  for (const [name, file] of args.inputs) {
    if (!session.inputNames.includes(name))
      fail(`${args.model} has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    feeds[name] = readNpy(file);
  }
  session.inputMetadata.forEach((meta, i) => {
    if (feeds[meta.name]) return;
    if (args.randomSeed === null)
      fail(`no value for input '${meta.name}': give --input ${meta.name}=FILE.npy or --random-input SEED`);
    if (!meta.isTensor) fail(`input '${meta.name}' is not a tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : args.batch));
    feeds[meta.name] = randomTensor(meta.type, args.randomSeed, i, dims);
  });

  let results;
  try {
    results = await session.run(feeds);
  } catch (e) {
    fail(`ONNX Runtime failed to run ${args.model}: ${e.message}`);
  }
  if (args.outputDir !== null) {
    fs.mkdirSync(args.outputDir, { recursive: true });
    for (const name of session.outputNames) {
      const t = results[name];
      writeNpy(path.join(args.outputDir, sanitize(name) + '.npy'), t);
    }
  }

  if (args.bench > 0) {
    const warmup = Math.max(3, Math.floor(args.bench / 10));
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < args.bench; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const report = {
      model: args.model, runs: args.bench, threads: args.threads || 'default',
      median_ms: median(times), min_ms: Math.min(...times),
    };
    if (args.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(`ort: ${args.model}: median ${report.median_ms.toFixed(3)} ms ` +
      `(min ${report.min_ms.toFixed(3)} ms, ${args.bench} runs, threads ${report.threads})\n`);
  }
  await session.release();
}

main().catch((e) => fail(e.stack || String(e)));
