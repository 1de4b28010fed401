#!/usr/bin/env node
// ort_cast_table.js - ONNX Runtime's Cast between every pair of the element
// types kiln holds, on the inputs of CastTableTest.cpp: the rows that test
// pins. Each pair is one model (a single Cast, written here as protobuf
// bytes), run with graph optimizations off.
//
//   node tests/reference/ort_cast_table.js
//
// ONNX Runtime comes from tools/ort/node_modules (see tools/ort/run.js).
'use strict';
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'tools', 'ort', 'node_modules',
                              'onnxruntime-node'));
function varint(n) { n = BigInt(n); if (n < 0n) n += 1n << 64n; const b = []; do { let x = Number(n & 0x7fn); n >>= 7n; if (n) x |= 0x80; b.push(x); } while (n); return Buffer.from(b); }
function key(f, w) { return varint((f << 3) | w); }
function fint(f, v) { return Buffer.concat([key(f, 0), varint(v)]); }
function fbytes(f, buf) { if (typeof buf === 'string') buf = Buffer.from(buf); return Buffer.concat([key(f, 2), varint(buf.length), buf]); }
function vinfo(name, t, n) { return Buffer.concat([fbytes(1, name), fbytes(2, fbytes(1, Buffer.concat([fint(1, t), fbytes(2, fbytes(1, fint(1, n)))])))]); }
function model(from, to, n) {
  const attr = Buffer.concat([fbytes(1, 'to'), fint(3, to), fint(20, 2)]);
  const node = Buffer.concat([fbytes(1, 'x'), fbytes(2, 'y'), fbytes(3, 'c'), fbytes(4, 'Cast'), fbytes(5, attr)]);
  const graph = Buffer.concat([fbytes(1, node), fbytes(2, 'g'), fbytes(11, vinfo('x', from, n)), fbytes(12, vinfo('y', to, n))]);
  return Buffer.concat([fint(1, 7), fbytes(7, graph), fbytes(8, Buffer.concat([fbytes(1, ''), fint(2, 13)]))]);
}
const T = { f32: [1, 'float32', Float32Array], u8: [2, 'uint8', Uint8Array], i8: [3, 'int8', Int8Array], i32: [6, 'int32', Int32Array], i64: [7, 'int64', BigInt64Array], bool: [9, 'bool', Uint8Array] };
const inputs = {
  f32: [0, -0, 0.5, -0.5, 1.7, -1.7, 127.9, 128, -129, 255.5, 300.5, -300, 2147483520, 2147483648, -2147483648, -3e9, 9.2e18, 1e20, NaN, Infinity, -Infinity],
  i64: [0n, 1n, -1n, 127n, 128n, -129n, 255n, 256n, 300n, -300n, 2147483647n, 2147483648n, -2147483649n, 4294967297n, 16777217n, 9223372036854775807n, -9223372036854775808n],
  i32: [0, 1, -1, 127, 128, -129, 255, 300, 16777217, 2147483647, -2147483648],
  i8: [0, 1, -1, 127, -128],
  u8: [0, 1, 127, 128, 255],
  bool: [0, 1],
};
function lit(v, t) {
  if (t === 'f32') { if (Number.isNaN(v)) return 'NaN'; if (v === Infinity) return 'Inf'; if (v === -Infinity) return '-Inf'; if (Object.is(v, -0)) return '-0.0f';
    const s = Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toFixed(1) : Math.fround(v).toPrecision(9); return `${s}f`.replace(/e\+?/, 'e'); }
  v = BigInt(v);
  if (v === -9223372036854775808n) return 'INT64_MIN'; if (v === 9223372036854775807n) return 'INT64_MAX';
  if (v === -2147483648n) return 'INT32_MIN'; if (v === 2147483647n) return 'INT32_MAX';
  return v.toString();
}
(async () => {
  for (const from of Object.keys(inputs)) {
    console.log(`// from ${from}: {${inputs[from].map((v) => lit(v, from === 'f32' ? 'f32' : 'int')).join(', ')}}`);
    for (const to of Object.keys(T)) {
      const data = from === 'i64' ? BigInt64Array.from(inputs[from]) : T[from][2].from(inputs[from]);
      const s = await ort.InferenceSession.create(model(T[from][0], T[to][0], data.length), { graphOptimizationLevel: 'disabled' });
      const r = await s.run({ x: new ort.Tensor(T[from][1], data, [data.length]) });
      const y = Array.from(r.y.data);
      console.log(`  {${from}->${to}} {${y.map((v) => lit(v, to === 'f32' ? 'f32' : 'int')).join(', ')}}`);
    }
  }
})();
