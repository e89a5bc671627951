import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  readBytes,
  readText
} from "./chunk-2DH6G5LH.js";
import {
  CHUNK,
  MAX_HEADER,
  SEALED_CHUNK,
  decryptor,
  encryptor,
  generateX25519Identity,
  headerEnd,
  identityToRecipient,
  openChunk,
  openHeader,
  payloadKey
} from "./chunk-ZXVIM5QX.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  IntegrityError,
  NotFoundError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/repository/blob.ts
import { createHash, createHmac } from "node:crypto";
import zlib from "node:zlib";

// node_modules/fzstd/esm/index.mjs
var ab = ArrayBuffer;
var u8 = Uint8Array;
var u16 = Uint16Array;
var i16 = Int16Array;
var i32 = Int32Array;
var slc = function(v, s, e) {
  if (u8.prototype.slice)
    return u8.prototype.slice.call(v, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  var n = new u8(e - s);
  n.set(v.subarray(s, e));
  return n;
};
var fill = function(v, n, s, e) {
  if (u8.prototype.fill)
    return u8.prototype.fill.call(v, n, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  for (; s < e; ++s)
    v[s] = n;
  return v;
};
var cpw = function(v, t, s, e) {
  if (u8.prototype.copyWithin)
    return u8.prototype.copyWithin.call(v, t, s, e);
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  while (s < e) {
    v[t++] = v[s++];
  }
};
var ec = [
  "invalid zstd data",
  "window size too large (>2046MB)",
  "invalid block type",
  "FSE accuracy too high",
  "match distance too far back",
  "unexpected EOF"
];
var err = function(ind, msg, nt) {
  var e = new Error(msg || ec[ind]);
  e.code = ind;
  if (Error.captureStackTrace)
    Error.captureStackTrace(e, err);
  if (!nt)
    throw e;
  return e;
};
var rb = function(d, b, n) {
  var i = 0, o = 0;
  for (; i < n; ++i)
    o |= d[b++] << (i << 3);
  return o;
};
var b4 = function(d, b) {
  return (d[b] | d[b + 1] << 8 | d[b + 2] << 16 | d[b + 3] << 24) >>> 0;
};
var rzfh = function(dat, w) {
  var n3 = dat[0] | dat[1] << 8 | dat[2] << 16;
  if (n3 == 3126568 && dat[3] == 253) {
    var flg = dat[4];
    var ss = flg >> 5 & 1, cc = flg >> 2 & 1, df = flg & 3, fcf = flg >> 6;
    if (flg & 8)
      err(0);
    var bt = 6 - ss;
    var db = df == 3 ? 4 : df;
    var di = rb(dat, bt, db);
    bt += db;
    var fsb = fcf ? 1 << fcf : ss;
    var fss = rb(dat, bt, fsb) + (fcf == 1 && 256);
    var ws = fss;
    if (!ss) {
      var wb = 1 << 10 + (dat[5] >> 3);
      ws = wb + (wb >> 3) * (dat[5] & 7);
    }
    if (ws > 2145386496)
      err(1);
    var buf = new u8((w == 1 ? fss || ws : w ? 0 : ws) + 12);
    buf[0] = 1, buf[4] = 4, buf[8] = 8;
    return {
      b: bt + fsb,
      y: 0,
      l: 0,
      d: di,
      w: w && w != 1 ? w : buf.subarray(12),
      e: ws,
      o: new i32(buf.buffer, 0, 3),
      u: fss,
      c: cc,
      m: Math.min(131072, ws)
    };
  } else if ((n3 >> 4 | dat[3] << 20) == 25481893) {
    return b4(dat, 4) + 8;
  }
  err(0);
};
var msb = function(val) {
  var bits = 0;
  for (; 1 << bits <= val; ++bits)
    ;
  return bits - 1;
};
var rfse = function(dat, bt, mal) {
  var tpos = (bt << 3) + 4;
  var al = (dat[bt] & 15) + 5;
  if (al > mal)
    err(3);
  var sz = 1 << al;
  var probs = sz, sym = -1, re = -1, i = -1, ht = sz;
  var buf = new ab(512 + (sz << 2));
  var freq = new i16(buf, 0, 256);
  var dstate = new u16(buf, 0, 256);
  var nstate = new u16(buf, 512, sz);
  var bb1 = 512 + (sz << 1);
  var syms = new u8(buf, bb1, sz);
  var nbits = new u8(buf, bb1 + sz);
  while (sym < 255 && probs > 0) {
    var bits = msb(probs + 1);
    var cbt = tpos >> 3;
    var msk = (1 << bits + 1) - 1;
    var val = (dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (tpos & 7) & msk;
    var msk1fb = (1 << bits) - 1;
    var msv = msk - probs - 1;
    var sval = val & msk1fb;
    if (sval < msv)
      tpos += bits, val = sval;
    else {
      tpos += bits + 1;
      if (val > msk1fb)
        val -= msv;
    }
    freq[++sym] = --val;
    if (val == -1) {
      probs += val;
      syms[--ht] = sym;
    } else
      probs -= val;
    if (!val) {
      do {
        var rbt = tpos >> 3;
        re = (dat[rbt] | dat[rbt + 1] << 8) >> (tpos & 7) & 3;
        tpos += 2;
        sym += re;
      } while (re == 3);
    }
  }
  if (sym > 255 || probs)
    err(0);
  var sympos = 0;
  var sstep = (sz >> 1) + (sz >> 3) + 3;
  var smask = sz - 1;
  for (var s = 0; s <= sym; ++s) {
    var sf = freq[s];
    if (sf < 1) {
      dstate[s] = -sf;
      continue;
    }
    for (i = 0; i < sf; ++i) {
      syms[sympos] = s;
      do {
        sympos = sympos + sstep & smask;
      } while (sympos >= ht);
    }
  }
  if (sympos)
    err(0);
  for (i = 0; i < sz; ++i) {
    var ns = dstate[syms[i]]++;
    var nb = nbits[i] = al - msb(ns);
    nstate[i] = (ns << nb) - sz;
  }
  return [tpos + 7 >> 3, {
    b: al,
    s: syms,
    n: nbits,
    t: nstate
  }];
};
var rhu = function(dat, bt) {
  var i = 0, wc = -1;
  var buf = new u8(292), hb = dat[bt];
  var hw = buf.subarray(0, 256);
  var rc = buf.subarray(256, 268);
  var ri = new u16(buf.buffer, 268);
  if (hb < 128) {
    var _a = rfse(dat, bt + 1, 6), ebt = _a[0], fdt = _a[1];
    bt += hb;
    var epos = ebt << 3;
    var lb = dat[bt];
    if (!lb)
      err(0);
    var st1 = 0, st2 = 0, btr1 = fdt.b, btr2 = btr1;
    var fpos = (++bt << 3) - 8 + msb(lb);
    for (; ; ) {
      fpos -= btr1;
      if (fpos < epos)
        break;
      var cbt = fpos >> 3;
      st1 += (dat[cbt] | dat[cbt + 1] << 8) >> (fpos & 7) & (1 << btr1) - 1;
      hw[++wc] = fdt.s[st1];
      fpos -= btr2;
      if (fpos < epos)
        break;
      cbt = fpos >> 3;
      st2 += (dat[cbt] | dat[cbt + 1] << 8) >> (fpos & 7) & (1 << btr2) - 1;
      hw[++wc] = fdt.s[st2];
      btr1 = fdt.n[st1];
      st1 = fdt.t[st1];
      btr2 = fdt.n[st2];
      st2 = fdt.t[st2];
    }
    if (++wc > 255)
      err(0);
  } else {
    wc = hb - 127;
    for (; i < wc; i += 2) {
      var byte = dat[++bt];
      hw[i] = byte >> 4;
      hw[i + 1] = byte & 15;
    }
    ++bt;
  }
  var wes = 0;
  for (i = 0; i < wc; ++i) {
    var wt = hw[i];
    if (wt > 11)
      err(0);
    wes += wt && 1 << wt - 1;
  }
  var mb = msb(wes) + 1;
  var ts = 1 << mb;
  var rem = ts - wes;
  if (rem & rem - 1)
    err(0);
  hw[wc++] = msb(rem) + 1;
  for (i = 0; i < wc; ++i) {
    var wt = hw[i];
    ++rc[hw[i] = wt && mb + 1 - wt];
  }
  var hbuf = new u8(ts << 1);
  var syms = hbuf.subarray(0, ts), nb = hbuf.subarray(ts);
  ri[mb] = 0;
  for (i = mb; i > 0; --i) {
    var pv = ri[i];
    fill(nb, i, pv, ri[i - 1] = pv + rc[i] * (1 << mb - i));
  }
  if (ri[0] != ts)
    err(0);
  for (i = 0; i < wc; ++i) {
    var bits = hw[i];
    if (bits) {
      var code = ri[bits];
      fill(syms, i, code, ri[bits] = code + (1 << mb - bits));
    }
  }
  return [bt, {
    n: nb,
    b: mb,
    s: syms
  }];
};
var dllt = rfse(/* @__PURE__ */ new u8([
  81,
  16,
  99,
  140,
  49,
  198,
  24,
  99,
  12,
  33,
  196,
  24,
  99,
  102,
  102,
  134,
  70,
  146,
  4
]), 0, 6)[1];
var dmlt = rfse(/* @__PURE__ */ new u8([
  33,
  20,
  196,
  24,
  99,
  140,
  33,
  132,
  16,
  66,
  8,
  33,
  132,
  16,
  66,
  8,
  33,
  68,
  68,
  68,
  68,
  68,
  68,
  68,
  68,
  36,
  9
]), 0, 6)[1];
var doct = rfse(/* @__PURE__ */ new u8([
  32,
  132,
  16,
  66,
  102,
  70,
  68,
  68,
  68,
  68,
  36,
  73,
  2
]), 0, 5)[1];
var b2bl = function(b, s) {
  var len = b.length, bl = new i32(len);
  for (var i = 0; i < len; ++i) {
    bl[i] = s;
    s += 1 << b[i];
  }
  return bl;
};
var llb = /* @__PURE__ */ new u8((/* @__PURE__ */ new i32([
  0,
  0,
  0,
  0,
  16843009,
  50528770,
  134678020,
  202050057,
  269422093
])).buffer, 0, 36);
var llbl = /* @__PURE__ */ b2bl(llb, 0);
var mlb = /* @__PURE__ */ new u8((/* @__PURE__ */ new i32([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  16843009,
  50528770,
  117769220,
  185207048,
  252579084,
  16
])).buffer, 0, 53);
var mlbl = /* @__PURE__ */ b2bl(mlb, 3);
var dhu = function(dat, out, hu) {
  var len = dat.length, ss = out.length, lb = dat[len - 1], msk = (1 << hu.b) - 1, eb = -hu.b;
  if (!lb)
    err(0);
  var st = 0, btr = hu.b, pos = (len << 3) - 8 + msb(lb) - btr, i = -1;
  for (; pos > eb && i < ss; ) {
    var cbt = pos >> 3;
    var val = (dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (pos & 7);
    st = (st << btr | val) & msk;
    out[++i] = hu.s[st];
    pos -= btr = hu.n[st];
  }
  if (pos != eb || i + 1 != ss)
    err(0);
};
var dhu4 = function(dat, out, hu) {
  var bt = 6;
  var ss = out.length, sz1 = ss + 3 >> 2, sz2 = sz1 << 1, sz3 = sz1 + sz2;
  dhu(dat.subarray(bt, bt += dat[0] | dat[1] << 8), out.subarray(0, sz1), hu);
  dhu(dat.subarray(bt, bt += dat[2] | dat[3] << 8), out.subarray(sz1, sz2), hu);
  dhu(dat.subarray(bt, bt += dat[4] | dat[5] << 8), out.subarray(sz2, sz3), hu);
  dhu(dat.subarray(bt), out.subarray(sz3), hu);
};
var rzb = function(dat, st, out) {
  var _a;
  var bt = st.b;
  var b0 = dat[bt], btype = b0 >> 1 & 3;
  st.l = b0 & 1;
  var sz = b0 >> 3 | dat[bt + 1] << 5 | dat[bt + 2] << 13;
  var ebt = (bt += 3) + sz;
  if (btype == 1) {
    if (bt >= dat.length)
      return;
    st.b = bt + 1;
    if (out) {
      fill(out, dat[bt], st.y, st.y += sz);
      return out;
    }
    return fill(new u8(sz), dat[bt]);
  }
  if (ebt > dat.length)
    return;
  if (btype == 0) {
    st.b = ebt;
    if (out) {
      out.set(dat.subarray(bt, ebt), st.y);
      st.y += sz;
      return out;
    }
    return slc(dat, bt, ebt);
  }
  if (btype == 2) {
    var b3 = dat[bt], lbt = b3 & 3, sf = b3 >> 2 & 3;
    var lss = b3 >> 4, lcs = 0, s4 = 0;
    if (lbt < 2) {
      if (sf & 1)
        lss |= dat[++bt] << 4 | (sf & 2 && dat[++bt] << 12);
      else
        lss = b3 >> 3;
    } else {
      s4 = sf;
      if (sf < 2)
        lss |= (dat[++bt] & 63) << 4, lcs = dat[bt] >> 6 | dat[++bt] << 2;
      else if (sf == 2)
        lss |= dat[++bt] << 4 | (dat[++bt] & 3) << 12, lcs = dat[bt] >> 2 | dat[++bt] << 6;
      else
        lss |= dat[++bt] << 4 | (dat[++bt] & 63) << 12, lcs = dat[bt] >> 6 | dat[++bt] << 2 | dat[++bt] << 10;
    }
    ++bt;
    var buf = out ? out.subarray(st.y, st.y + st.m) : new u8(st.m);
    var spl = buf.length - lss;
    if (lbt == 0)
      buf.set(dat.subarray(bt, bt += lss), spl);
    else if (lbt == 1)
      fill(buf, dat[bt++], spl);
    else {
      var hu = st.h;
      if (lbt == 2) {
        var hud = rhu(dat, bt);
        lcs += bt - (bt = hud[0]);
        st.h = hu = hud[1];
      } else if (!hu)
        err(0);
      (s4 ? dhu4 : dhu)(dat.subarray(bt, bt += lcs), buf.subarray(spl), hu);
    }
    var ns = dat[bt++];
    if (ns) {
      if (ns == 255)
        ns = (dat[bt++] | dat[bt++] << 8) + 32512;
      else if (ns > 127)
        ns = ns - 128 << 8 | dat[bt++];
      var scm = dat[bt++];
      if (scm & 3)
        err(0);
      var dts = [dmlt, doct, dllt];
      for (var i = 2; i > -1; --i) {
        var md = scm >> (i << 1) + 2 & 3;
        if (md == 1) {
          var rbuf = new u8([0, 0, dat[bt++]]);
          dts[i] = {
            s: rbuf.subarray(2, 3),
            n: rbuf.subarray(0, 1),
            t: new u16(rbuf.buffer, 0, 1),
            b: 0
          };
        } else if (md == 2) {
          _a = rfse(dat, bt, 9 - (i & 1)), bt = _a[0], dts[i] = _a[1];
        } else if (md == 3) {
          if (!st.t)
            err(0);
          dts[i] = st.t[i];
        }
      }
      var _b = st.t = dts, mlt = _b[0], oct = _b[1], llt = _b[2];
      var lb = dat[ebt - 1];
      if (!lb)
        err(0);
      var spos = (ebt << 3) - 8 + msb(lb) - llt.b, cbt = spos >> 3, oubt = 0;
      var lst = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << llt.b) - 1;
      cbt = (spos -= oct.b) >> 3;
      var ost = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << oct.b) - 1;
      cbt = (spos -= mlt.b) >> 3;
      var mst = (dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << mlt.b) - 1;
      for (++ns; --ns; ) {
        var llc = llt.s[lst];
        var lbtr = llt.n[lst];
        var mlc = mlt.s[mst];
        var mbtr = mlt.n[mst];
        var ofc = oct.s[ost];
        var obtr = oct.n[ost];
        cbt = (spos -= ofc) >> 3;
        var ofp = 1 << ofc;
        var off = ofp + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16 | dat[cbt + 3] << 24) >>> (spos & 7) & ofp - 1);
        cbt = (spos -= mlb[mlc]) >> 3;
        var ml = mlbl[mlc] + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (spos & 7) & (1 << mlb[mlc]) - 1);
        cbt = (spos -= llb[llc]) >> 3;
        var ll = llbl[llc] + ((dat[cbt] | dat[cbt + 1] << 8 | dat[cbt + 2] << 16) >> (spos & 7) & (1 << llb[llc]) - 1);
        cbt = (spos -= lbtr) >> 3;
        lst = llt.t[lst] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << lbtr) - 1);
        cbt = (spos -= mbtr) >> 3;
        mst = mlt.t[mst] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << mbtr) - 1);
        cbt = (spos -= obtr) >> 3;
        ost = oct.t[ost] + ((dat[cbt] | dat[cbt + 1] << 8) >> (spos & 7) & (1 << obtr) - 1);
        if (off > 3) {
          st.o[2] = st.o[1];
          st.o[1] = st.o[0];
          st.o[0] = off -= 3;
        } else {
          var idx = off - (ll != 0);
          if (idx) {
            off = idx == 3 ? st.o[0] - 1 : st.o[idx];
            if (idx > 1)
              st.o[2] = st.o[1];
            st.o[1] = st.o[0];
            st.o[0] = off;
          } else
            off = st.o[0];
        }
        for (var i = 0; i < ll; ++i) {
          buf[oubt + i] = buf[spl + i];
        }
        oubt += ll, spl += ll;
        var stin = oubt - off;
        if (stin < 0) {
          var len = -stin;
          var bs = st.e + stin;
          if (len > ml)
            len = ml;
          for (var i = 0; i < len; ++i) {
            buf[oubt + i] = st.w[bs + i];
          }
          oubt += len, ml -= len, stin = 0;
        }
        for (var i = 0; i < ml; ++i) {
          buf[oubt + i] = buf[stin + i];
        }
        oubt += ml;
      }
      if (oubt != spl) {
        while (spl < buf.length) {
          buf[oubt++] = buf[spl++];
        }
      } else
        oubt = buf.length;
      if (out)
        st.y += oubt;
      else
        buf = slc(buf, 0, oubt);
    } else if (out) {
      st.y += lss;
      if (spl) {
        for (var i = 0; i < lss; ++i) {
          buf[i] = buf[spl + i];
        }
      }
    } else if (spl)
      buf = slc(buf, spl);
    st.b = ebt;
    return buf;
  }
  err(2);
};
var cct = function(bufs, ol) {
  if (bufs.length == 1)
    return bufs[0];
  var buf = new u8(ol);
  for (var i = 0, b = 0; i < bufs.length; ++i) {
    var chk = bufs[i];
    buf.set(chk, b);
    b += chk.length;
  }
  return buf;
};
function decompress(dat, buf) {
  var bufs = [], nb = +!buf;
  var bt = 0, ol = 0;
  for (; dat.length; ) {
    var st = rzfh(dat, nb || buf);
    if (typeof st == "object") {
      if (nb) {
        buf = null;
        if (st.w.length == st.u) {
          bufs.push(buf = st.w);
          ol += st.u;
        }
      } else {
        bufs.push(buf);
        st.e = 0;
      }
      for (; !st.l; ) {
        var blk = rzb(dat, st, buf);
        if (!blk)
          err(5);
        if (buf)
          st.e = st.y;
        else {
          bufs.push(blk);
          ol += blk.length;
          cpw(st.w, 0, blk.length);
          st.w.set(blk, st.w.length - blk.length);
        }
      }
      bt = st.b + st.c * 4;
    } else
      bt = st;
    dat = dat.subarray(bt);
  }
  return cct(bufs, ol);
}

// src/repository/blob.ts
function blobId(bytes, key) {
  return (key ? createHmac("sha256", key.key) : createHash("sha256")).update(bytes).digest("hex");
}
var z = zlib;
var SAMPLE = 64 * 1024;
var canCompress = typeof z.zstdCompressSync === "function";
var ENTROPY_SAMPLE = 4096;
var log2 = new Float64Array(ENTROPY_SAMPLE + 1).map((_, n) => n > 0 ? Math.log2(n) : 0);
function looksCompressed(raw) {
  const n = Math.min(raw.length, ENTROPY_SAMPLE);
  if (n < 1024) return false;
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i += 1) counts[raw[i]] += 1;
  let sum = 0;
  for (const c of counts) sum += c * log2[c];
  return log2[n] - sum / n > 7.6;
}
function packBlob(raw) {
  if (!canCompress || raw.length < 64) return { bytes: raw, compression: "none" };
  if (raw.length < 4 * SAMPLE && looksCompressed(raw)) return { bytes: raw, compression: "none" };
  const level = { params: { [z.constants.ZSTD_c_compressionLevel]: 3 } };
  if (raw.length >= 4 * SAMPLE && z.zstdCompressSync(raw.subarray(0, SAMPLE), level).length >= SAMPLE * 0.97) return { bytes: raw, compression: "none" };
  const packed = z.zstdCompressSync(raw, level);
  return packed.length < raw.length * 0.97 ? { bytes: packed, compression: "zstd" } : { bytes: raw, compression: "none" };
}
function unpackBlob(stored, compression, rawLength, id, key) {
  let raw;
  if (compression === "none") raw = stored;
  else {
    try {
      if (z.zstdDecompressSync) raw = z.zstdDecompressSync(stored, { maxOutputLength: Math.max(1, rawLength) });
      else {
        const out = decompress(stored, Buffer.allocUnsafe(rawLength));
        raw = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      }
    } catch (error) {
      throw new IntegrityError(`Blob ${id.slice(0, 12)} does not decompress: ${error.message}.`, { hint: "Restore from another target (--target NAME)." });
    }
  }
  if (raw.length !== rawLength || blobId(raw, key) !== id) {
    throw new IntegrityError(`Blob ${id.slice(0, 12)} is damaged: its content does not match its id.`, { hint: "Restore from another target (--target NAME)." });
  }
  return raw;
}

// src/repository/format.ts
var REPO_FORMAT = 1;
var hex64 = external_exports.string().regex(/^[0-9a-f]{64}$/);
var repoKeys = {
  root: (plan) => `${plan}/repo/`,
  config: (plan) => `${plan}/repo/config.json`,
  key: (plan, id) => `${plan}/repo/keys/${id}`,
  keys: (plan) => `${plan}/repo/keys/`,
  pack: (plan, id) => `${plan}/repo/data/${id.slice(0, 2)}/${id}`,
  packs: (plan) => `${plan}/repo/data/`,
  index: (plan, id) => `${plan}/repo/index/${id}`,
  indexes: (plan) => `${plan}/repo/index/`
};
function idOfKey(key) {
  const last = key.slice(key.lastIndexOf("/") + 1);
  return /^[0-9a-f]{64}$/.test(last) ? last : void 0;
}
var repoConfig = external_exports.object({
  format: external_exports.literal(REPO_FORMAT),
  kind: external_exports.literal("restorable-repository"),
  chunker: external_exports.object({ algorithm: external_exports.literal("fastcdc"), min: external_exports.number(), avg: external_exports.number(), max: external_exports.number() }),
  keyed_ids: external_exports.boolean()
});
var blobEntry = external_exports.object({
  id: hex64,
  type: external_exports.enum(["data", "tree"]),
  /** Where the stored blob starts in the pack's plaintext, and its stored length. */
  offset: external_exports.number().int().nonnegative(),
  length: external_exports.number().int().nonnegative(),
  raw_length: external_exports.number().int().nonnegative(),
  compression: external_exports.enum(["zstd", "none"])
});
var packHeader = external_exports.object({ format: external_exports.literal(REPO_FORMAT), key_id: external_exports.string().nullable(), blobs: external_exports.array(blobEntry) });
var PACK_MAGIC = Buffer.from("RSTPACK1");
var indexObject = external_exports.object({
  format: external_exports.literal(REPO_FORMAT),
  kind: external_exports.literal("restorable-index"),
  packs: external_exports.array(external_exports.object({ id: hex64, size: external_exports.number().int().nonnegative(), key_id: external_exports.string().nullable(), blobs: external_exports.array(blobEntry) }))
});
var nodeName = external_exports.string().refine((n) => n !== "" && n !== "." && n !== ".." && !/[/\0]/.test(n), { error: "not a plain file name" });
var treeNode = external_exports.discriminatedUnion("type", [
  external_exports.object({ type: external_exports.literal("file"), name: nodeName, mode: external_exports.number().int(), uid: external_exports.number().int(), gid: external_exports.number().int(), mtime_ns: external_exports.string().regex(/^\d+$/), size: external_exports.number().int().nonnegative(), content: external_exports.array(hex64) }),
  external_exports.object({ type: external_exports.literal("dir"), name: nodeName, mode: external_exports.number().int(), uid: external_exports.number().int(), gid: external_exports.number().int(), mtime_ns: external_exports.string().regex(/^\d+$/), subtree: hex64 }),
  external_exports.object({ type: external_exports.literal("symlink"), name: nodeName, mode: external_exports.number().int(), uid: external_exports.number().int(), gid: external_exports.number().int(), mtime_ns: external_exports.string().regex(/^\d+$/), target: external_exports.string() })
]);
var tree = external_exports.object({ nodes: external_exports.array(treeNode) });
var snapshotObject = external_exports.object({
  format: external_exports.literal(REPO_FORMAT),
  kind: external_exports.literal("restorable-snapshot"),
  plan: external_exports.string(),
  source: external_exports.string(),
  backup_id: external_exports.string(),
  time: external_exports.string(),
  /** The tree blob of the source's folder itself (its mode and mtime are the root's). */
  root: hex64,
  root_meta: external_exports.object({ mode: external_exports.number().int(), uid: external_exports.number().int(), gid: external_exports.number().int(), mtime_ns: external_exports.string() }),
  key_id: external_exports.string().nullable(),
  counts: external_exports.object({ files: external_exports.number(), dirs: external_exports.number(), symlinks: external_exports.number(), bytes: external_exports.number() })
});
function snapshotFile(source, encrypted) {
  return `${source}.snapshot.json${encrypted ? ".age" : ""}`;
}

// src/repository/repo-secret.ts
import { randomBytes } from "node:crypto";

// src/repository/seal.ts
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
async function through(input, transform) {
  const parts = [];
  await pipeline(Readable.from([input]), transform, new Writable({ write: (chunk, _e, callback) => (parts.push(chunk), callback()) }));
  return Buffer.concat(parts);
}
function seal(plain, setting) {
  return setting ? through(plain, encryptor(setting)) : Promise.resolve(plain);
}
function open(stored, record, keys, what) {
  return record ? through(stored, decryptor(record, keys, what)) : Promise.resolve(stored);
}

// src/repository/store.ts
import { createHash as createHash3 } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable as Readable2 } from "node:stream";

// src/repository/chunker.ts
import { createHash as createHash2, createHmac as createHmac2 } from "node:crypto";
var DEFAULT_CHUNKER = { min: 512 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };
function gearTable(key) {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    const label = `restorable gear ${i}`;
    const digest = key ? createHmac2("sha256", key).update(label).digest() : createHash2("sha256").update(label).digest();
    table[i] = digest.readUInt32LE(0);
  }
  return table;
}
function nextCut(data, start2, end, final, gear, params) {
  const available = end - start2;
  if (available <= params.min) return final ? available : -1;
  const bits = Math.round(Math.log2(params.avg));
  const top = (n) => n >= 32 ? 4294967295 : 4294967295 << 32 - n >>> 0;
  const small = top(bits + 2);
  const large = top(bits - 2);
  const normal = Math.min(start2 + params.avg, end);
  const limit = Math.min(start2 + params.max, end);
  let hash = 0;
  let i = start2 + params.min;
  for (; i < normal; i += 1) {
    hash = (hash << 1) + gear[data[i]] >>> 0;
    if ((hash & small) === 0) return i + 1 - start2;
  }
  for (; i < limit; i += 1) {
    hash = (hash << 1) + gear[data[i]] >>> 0;
    if ((hash & large) === 0) return i + 1 - start2;
  }
  if (limit - start2 === params.max) return params.max;
  return final ? available : -1;
}

// src/util/reclaim.ts
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
var gc;
function collector() {
  if (gc === void 0) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc");
    } catch {
      gc = null;
    }
  }
  return gc;
}
function reclaimer(every = 4 << 20) {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    collector()?.({ type: "minor", execution: "sync" });
  };
}
function collectNow() {
  collector()?.({ type: "major", execution: "sync" });
}

// src/util/file-digest.ts
import { Worker } from "node:worker_threads";
var CODE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, path }) => {
  let fd;
  try {
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      length += n;
    }
    parentPort.postMessage({ id, sha256: hash.digest('hex'), length });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error), code: error && error.code });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;
var worker;
var next = 0;
var waiting = /* @__PURE__ */ new Map();
function start() {
  const started = new Worker(CODE, { eval: true });
  started.unref();
  started.on("message", (answer) => {
    const wait = waiting.get(answer.id);
    if (!wait) return;
    waiting.delete(answer.id);
    if (waiting.size === 0) started.unref();
    if ("error" in answer) wait.reject(Object.assign(new Error(answer.error), { code: answer.code }));
    else wait.resolve({ sha256: answer.sha256, length: answer.length });
  });
  const fail = (error) => {
    if (worker === started) worker = void 0;
    for (const wait of waiting.values()) wait.reject(error);
    waiting.clear();
  };
  started.on("error", fail);
  started.on("exit", (code) => fail(new Error(`the hashing thread stopped (exit ${code})`)));
  return started;
}
function digestFile(path) {
  worker ??= start();
  const id = next++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker.ref();
    worker.postMessage({ id, path });
  });
}

// src/repository/store.ts
async function readAll(target, key) {
  if (target.localPath) {
    try {
      return await readFile(target.localPath(key));
    } catch {
    }
  }
  return readBytes(target, key);
}
async function readRange(target, key, offset, length, what) {
  const parts = [];
  for await (const part of await target.getRange(key, offset, length)) parts.push(part);
  const bytes = Buffer.concat(parts);
  if (bytes.length !== length) throw new IntegrityError(`${what} on target "${target.name}" is shorter than its index says.`, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
  return bytes;
}
var sha256 = (bytes) => createHash3("sha256").update(bytes).digest("hex");
function digestOf(parts) {
  const hash = createHash3("sha256");
  let length = 0;
  for (const part of parts) {
    hash.update(part);
    length += part.length;
  }
  return { sha256: hash.digest("hex"), length };
}
async function digestStored(target, key) {
  if (target.localPath) {
    const digest = await digestFile(target.localPath(key)).catch(() => void 0);
    if (digest) return digest;
  }
  const hash = createHash3("sha256");
  let length = 0;
  for await (const chunk of await target.get(key)) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { sha256: hash.digest("hex"), length };
}
async function putVerified(target, key, body, known) {
  const parts = Buffer.isBuffer(body) ? [body] : body;
  const want = known ?? digestOf(parts);
  await target.put(key, Readable2.from(parts));
  const back = await digestStored(target, key);
  if (back.length !== want.length || back.sha256 !== want.sha256) {
    throw new IntegrityError(`${key} read back ${back.length} bytes that differ from the ${want.length} written.`, { hint: "The store returned other bytes than it was given; check the disk or the service." });
  }
}
async function listRepo(target, plan) {
  const listing = { keys: [], packs: /* @__PURE__ */ new Map(), indexes: /* @__PURE__ */ new Map() };
  for (const object of await target.list(repoKeys.root(plan))) {
    const id = idOfKey(object.key);
    if (object.key === repoKeys.config(plan)) listing.config = object;
    else if (object.key.startsWith(repoKeys.keys(plan))) listing.keys.push(object.key.slice(repoKeys.keys(plan).length));
    else if (id && object.key === repoKeys.pack(plan, id)) listing.packs.set(id, object.size);
    else if (id && object.key === repoKeys.index(plan, id)) listing.indexes.set(id, object.size);
  }
  return listing;
}
function newConfig(keyed) {
  const { min, avg, max } = DEFAULT_CHUNKER;
  return { format: REPO_FORMAT, kind: "restorable-repository", chunker: { algorithm: "fastcdc", min, avg, max }, keyed_ids: keyed };
}
async function readConfig(target, plan) {
  const text = await readText(target, repoKeys.config(plan));
  let parsed;
  try {
    parsed = repoConfig.safeParse(JSON.parse(text));
  } catch (error) {
    throw new IntegrityError(`The repository config on target "${target.name}" is not valid JSON (${reason(error)}).`);
  }
  if (!parsed.success) throw new IntegrityError(`The repository config on target "${target.name}" is not one this restorable reads (format ${REPO_FORMAT}).`, { hint: "A newer restorable may have written it: upgrade." });
  return parsed.data;
}
async function loadIndex(target, plan, id, cache, opening) {
  let plain = cache ? await cache.index(id) : void 0;
  if (!plain) {
    if (opening.record && !opening.keys) return void 0;
    const stored = await readAll(target, repoKeys.index(plan, id));
    if (sha256(stored) !== id) throw new IntegrityError(`Index ${id.slice(0, 12)} on target "${target.name}" is damaged: its sha256 differs from its name.`, { hint: "Run `restorable verify`; the packs it lists are written again by the next backup." });
    plain = await open(stored, opening.record, opening.keys ?? { identities: [] }, `Index ${id.slice(0, 12)}`);
    await cache?.saveIndex(id, plain);
  }
  const parsed = indexObject.safeParse(JSON.parse(plain.toString("utf8")));
  if (!parsed.success) {
    await cache?.forgetIndex(id);
    throw new IntegrityError(`Index ${id.slice(0, 12)} on target "${target.name}" is not a restorable index.`);
  }
  return parsed.data;
}
async function loadRepo(target, plan, listing, cache, opening, keyId, into, options = {}) {
  const present = /* @__PURE__ */ new Set();
  for (const id of listing.indexes.keys()) {
    let index;
    try {
      index = await loadIndex(target, plan, id, cache, opening);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      options.onSkip?.(error.message);
      continue;
    }
    if (!index) continue;
    for (const pack of index.packs) {
      if (pack.key_id !== keyId || listing.packs.get(pack.id) !== pack.size) continue;
      present.add(pack.id);
      for (const blob of pack.blobs) if (!options.only || blob.type === options.only) into.add(pack.id, blob);
    }
  }
  collectNow();
  return present;
}

// src/repository/repo-secret.ts
var secretJson = external_exports.object({ id_key: external_exports.string().regex(/^[0-9a-f]{64}$/), identity: external_exports.string().regex(/^AGE-SECRET-KEY-1[0-9A-Z]+$/).nullable() });
async function fromJson(id, text) {
  let parsed;
  try {
    parsed = secretJson.safeParse(JSON.parse(text));
  } catch {
    return void 0;
  }
  if (!parsed.success) return void 0;
  const { id_key, identity } = parsed.data;
  return { idKey: { id, key: Buffer.from(id_key, "hex") }, identity, recipient: identity ? await identityToRecipient(identity) : null };
}
var toJson = (s) => JSON.stringify({ id_key: s.idKey.key.toString("hex"), identity: s.identity });
function objectSealing(secret, plan) {
  return secret.recipient ? { age_recipients: [secret.recipient] } : plan;
}
function objectRecord(secret, plan) {
  const recipients = secret?.recipient ? [secret.recipient] : [...plan.age_recipients ?? []];
  return { format: "age", mode: "recipients", recipients };
}
function objectKeys(secret, userKeys) {
  if (secret.identity) return { identities: [secret.identity] };
  return userKeys && userKeys.identities.length > 0 ? userKeys : null;
}
async function chooseSecret(cache, held, targets, plan, setting, userKeys) {
  const onAny = new Set([...held.values()].flat());
  for (const id of await cache.keyIds()) {
    const text = await cache.key(id);
    const secret2 = text && onAny.has(id) ? await fromJson(id, text) : void 0;
    if (secret2) return secret2;
  }
  if (userKeys) {
    for (const target of targets) {
      for (const id of held.get(target.name) ?? []) {
        const secret2 = await openSecret(target, plan, id, setting, userKeys).catch(() => void 0);
        if (secret2) {
          await cache.saveKey(id, toJson(secret2));
          return secret2;
        }
      }
    }
  }
  const identity = setting.passphrase !== void 0 ? await generateX25519Identity() : null;
  const secret = { idKey: { id: randomBytes(16).toString("hex"), key: randomBytes(32) }, identity, recipient: identity ? await identityToRecipient(identity) : null };
  await cache.saveKey(secret.idKey.id, toJson(secret));
  return secret;
}
async function storeSecret(target, plan, secret, setting) {
  await putVerified(target, repoKeys.key(plan, secret.idKey.id), await seal(Buffer.from(toJson(secret)), setting));
}
async function openSecret(target, plan, id, setting, keys) {
  const record = setting.passphrase !== void 0 ? { format: "age", mode: "passphrase", recipients: [] } : { format: "age", mode: "recipients", recipients: [...setting.age_recipients ?? []] };
  const plain = await open(await readAll(target, repoKeys.key(plan, id)), record, keys, `The repository key ${id}`);
  const secret = await fromJson(id, plain.toString("utf8"));
  if (!secret) throw new IntegrityError(`The repository key ${id} on target "${target.name}" is not one restorable wrote.`);
  return secret;
}

// src/repository/key-table.ts
var KeyTable = class {
  constructor(width) {
    this.width = width;
  }
  count = 0;
  keys = Buffer.alloc(0);
  /** Key number + 1; 0 is an empty slot. */
  table = new Int32Array(1024);
  get size() {
    return this.count;
  }
  /** The number of `key` (its first `width` bytes), or -1. */
  find(key) {
    if (this.count === 0) return -1;
    return this.table[this.slotOf(key)] - 1;
  }
  /** The number of `key`, added if it was not there. */
  add(key) {
    const slot = this.slotOf(key);
    const held = this.table[slot] - 1;
    if (held >= 0) return held;
    if ((this.count + 1) * this.width > this.keys.length) {
      const wider = Buffer.allocUnsafeSlow(Math.max(1024, this.count * 2) * this.width);
      this.keys.copy(wider, 0, 0, this.count * this.width);
      this.keys = wider;
    }
    key.copy(this.keys, this.count * this.width, 0, this.width);
    const n = this.count++;
    this.table[slot] = n + 1;
    if (this.count * 2 > this.table.length) this.rehash();
    return n;
  }
  /** Key `n` as lowercase hex. */
  hex(n) {
    return this.keys.toString("hex", n * this.width, (n + 1) * this.width);
  }
  slotOf(key) {
    const mask = this.table.length - 1;
    for (let slot = key.readUInt32LE(0) & mask; ; slot = slot + 1 & mask) {
      const held = this.table[slot] - 1;
      if (held < 0 || this.keys.compare(key, 0, this.width, held * this.width, (held + 1) * this.width) === 0) return slot;
    }
  }
  rehash() {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let n = 0; n < this.count; n += 1) {
      let slot = this.keys.readUInt32LE(n * this.width) & mask;
      while (this.table[slot] !== 0) slot = slot + 1 & mask;
      this.table[slot] = n + 1;
    }
  }
};
function widen(old, capacity) {
  const wider = new old.constructor(capacity);
  wider.set(old);
  return wider;
}

// src/repository/blob-map.ts
var ID_BYTES = 32;
var NONE = -1;
var TREE = 1;
var ZSTD = 2;
var BlobMap = class {
  packs = [];
  packNumbers = /* @__PURE__ */ new Map();
  ids = new KeyTable(ID_BYTES);
  /** Per id (by its KeyTable number): its first entry. */
  first = new Int32Array(0);
  count = 0;
  pack = new Uint32Array(0);
  offset = new Uint32Array(0);
  length = new Uint32Array(0);
  raw = new Uint32Array(0);
  flags = new Uint8Array(0);
  /** The next entry of the same id (another pack), or NONE. */
  next = new Int32Array(0);
  probe = Buffer.alloc(ID_BYTES);
  /** Distinct blob ids held. */
  get size() {
    return this.ids.size;
  }
  add(pack, entry) {
    this.probe.write(entry.id, "hex");
    const known = this.ids.size;
    const id = this.ids.add(this.probe);
    let packNumber = this.packNumbers.get(pack);
    if (packNumber === void 0) {
      packNumber = this.packs.push(pack) - 1;
      this.packNumbers.set(pack, packNumber);
    }
    if (id === known) {
      if (id === this.first.length) this.first = widen(this.first, Math.max(1024, id * 2));
      this.first[id] = this.append(packNumber, entry);
      return;
    }
    const head = this.first[id];
    for (let at = head; at !== NONE; at = this.next[at]) if (this.pack[at] === packNumber) return;
    const n = this.append(packNumber, entry);
    this.next[n] = this.next[head];
    this.next[head] = n;
  }
  locations(id) {
    const out = [];
    for (let at = this.firstOf(id); at !== NONE; at = this.next[at]) out.push({ pack: this.packs[this.pack[at]], entry: this.entryAt(id, at) });
    return out;
  }
  /** Whether one of the packs holding `id` is in `packs` (no objects made: the writer asks this for every chunk). */
  inAnyOf(id, packs) {
    for (let at = this.firstOf(id); at !== NONE; at = this.next[at]) if (packs.has(this.packs[this.pack[at]])) return true;
    return false;
  }
  firstOf(id) {
    this.probe.write(id, "hex");
    const n = this.ids.find(this.probe);
    return n < 0 ? NONE : this.first[n];
  }
  entryAt(id, at) {
    const flags = this.flags[at];
    return { id, type: flags & TREE ? "tree" : "data", offset: this.offset[at], length: this.length[at], raw_length: this.raw[at], compression: flags & ZSTD ? "zstd" : "none" };
  }
  append(packNumber, entry) {
    if (this.count === this.pack.length) {
      const capacity = Math.max(1024, this.count * 2);
      this.pack = widen(this.pack, capacity);
      this.offset = widen(this.offset, capacity);
      this.length = widen(this.length, capacity);
      this.raw = widen(this.raw, capacity);
      this.flags = widen(this.flags, capacity);
      this.next = widen(this.next, capacity);
    }
    const n = this.count++;
    this.pack[n] = packNumber;
    this.offset[n] = entry.offset;
    this.length[n] = entry.length;
    this.raw[n] = entry.raw_length;
    this.flags[n] = (entry.type === "tree" ? TREE : 0) | (entry.compression === "zstd" ? ZSTD : 0);
    this.next[n] = NONE;
    return n;
  }
};
var IdSet = class {
  ids = new KeyTable(ID_BYTES);
  probe = Buffer.alloc(ID_BYTES);
  get size() {
    return this.ids.size;
  }
  /** Adds `id`; false when it was there already. */
  add(id) {
    this.probe.write(id, "hex");
    const known = this.ids.size;
    return this.ids.add(this.probe) === known;
  }
  has(id) {
    this.probe.write(id, "hex");
    return this.ids.find(this.probe) >= 0;
  }
};

// src/repository/reader.ts
var CACHED_PACKS = 3;
var RANGE_GAP = 256 * 1024;
var WHOLE_SHARE = 0.5;
var CACHED_RANGE_BYTES = 48 * 1024 * 1024;
var LoadCache = class {
  constructor(budget, weigh) {
    this.budget = budget;
    this.weigh = weigh;
  }
  held = /* @__PURE__ */ new Map();
  loading = /* @__PURE__ */ new Map();
  weight = 0;
  has(key) {
    return this.held.has(key);
  }
  get(key, load) {
    const hit = this.held.get(key);
    if (hit !== void 0) {
      this.held.delete(key);
      this.held.set(key, hit);
      return Promise.resolve(hit);
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load().then((value) => (this.keep(key, value), value)).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
  keep(key, value) {
    this.held.set(key, value);
    this.weight += this.weigh(value);
    while (this.weight > this.budget && this.held.size > 1) {
      const [oldest, old] = this.held.entries().next().value;
      this.held.delete(oldest);
      this.weight -= this.weigh(old);
    }
  }
};
function mergeSpans(spans, gap) {
  const out = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && span.start <= last.end + gap) last.end = Math.max(last.end, span.end);
    else out.push({ ...span });
  }
  return out;
}
var RepoReader = class _RepoReader {
  constructor(target, plan, blobs, present, opening, idKey, cachedPacks, sizes, read = { packs: 0, ranges: 0, bytes: 0 }) {
    this.target = target;
    this.plan = plan;
    this.blobs = blobs;
    this.present = present;
    this.opening = opening;
    this.idKey = idKey;
    this.sizes = sizes;
    this.read = read;
    this.packs = new LoadCache(cachedPacks, () => 1);
  }
  /**
   * Opens the repository on `target` for the snapshot's key. `keys` must open it when the plan encrypts.
   * `trees`: a reader of tree blobs only, for a walk of the folders (prune): it maps no data blob
   * (a million of them were ~70 MB) and keeps two packs, not six.
   */
  static async open(target, plan, snapshot, encryption, keys, options = {}) {
    const list = options.listing ?? await listRepo(target, plan);
    let secret = null;
    if (snapshot.key_id) {
      if (!encryption) throw new IntegrityError(`The snapshot of "${snapshot.source}" is keyed (encrypted) but the plan has no encryption.`, { hint: "Restore with the plan (and its encryption settings) the backup was made with." });
      if (!list.keys.includes(snapshot.key_id)) throw new IntegrityError(`The repository key ${snapshot.key_id} of backup ${snapshot.backup_id} is missing on target "${target.name}".`, { hint: "Restore from another target (--target NAME)." });
      secret = await openSecret(target, plan, snapshot.key_id, encryption, keys);
    }
    const opening = { record: encryption && secret ? objectRecord(secret, encryption) : null, keys: secret ? objectKeys(secret, keys) : null };
    const blobs = new BlobMap();
    const present = await loadRepo(target, plan, list, null, opening, snapshot.key_id, blobs, {
      onSkip: (message) => {
        throw new IntegrityError(message, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
      },
      ...options.trees ? { only: "tree" } : {}
    });
    return new _RepoReader(target, plan, blobs, present, opening, secret?.idKey ?? null, options.trees ? 2 : CACHED_PACKS, list.packs);
  }
  /** Packs read, and being read: files restored at once share one read of a pack. */
  packs;
  pack(id) {
    return this.packs.get(id, () => this.load(id));
  }
  async load(id) {
    const stored = await readAll(this.target, repoKeys.pack(this.plan, id)).catch((error) => {
      throw error instanceof NotFoundError ? new IntegrityError(`Pack ${id.slice(0, 12)} is missing on target "${this.target.name}".`, { hint: "Restore from another target (--target NAME)." }) : error;
    });
    if (this.opening.record && sha256(stored) !== id) throw this.damaged(id);
    const plain = await open(stored, this.opening.record, this.opening.keys ?? { identities: [] }, `Pack ${id.slice(0, 12)}`);
    this.read.packs += 1;
    this.read.bytes += stored.length;
    return plain;
  }
  damaged(pack) {
    return new IntegrityError(`Pack ${pack.slice(0, 12)} on target "${this.target.name}" is damaged: its sha256 differs from its name.`, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
  }
  /** Where the blob lies on this target (pack id, offset and stored length in it), to read packs in order. */
  where(id) {
    const found = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    return found && { pack: found.pack, offset: found.entry.offset, length: found.entry.length };
  }
  /** Per pack, the merged spans a build will read from it by range (packs it needs only a small part of). */
  ranged = /* @__PURE__ */ new Map();
  /**
   * A build tells which stretches of which packs it will read next. A pack it
   * needs less than half of is then read by ranges, on targets that read
   * ranges: a partial restore of a few files reads those chunks, not their
   * 16 MiB packs. Others are read whole, as without this call.
   */
  willRead(needs) {
    if (!this.target.getRange) return;
    for (const [pack, spans] of needs) {
      const size = this.sizes.get(pack);
      if (size === void 0 || this.packs.has(pack)) continue;
      const merged = mergeSpans(spans, RANGE_GAP);
      const total = merged.reduce((sum, s) => sum + s.end - s.start, 0);
      if (total >= size * WHOLE_SHARE) this.ranged.delete(pack);
      else this.ranged.set(pack, merged);
    }
  }
  /** The blob's bytes, proven to be the blob `id` names. */
  async blob(id) {
    const where = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    if (!where) throw new IntegrityError(`Blob ${id.slice(0, 12)} is in no pack on target "${this.target.name}".`, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
    const { offset, length, raw_length, compression } = where.entry;
    const span = this.packs.has(where.pack) ? void 0 : this.ranged.get(where.pack)?.find((s) => s.start <= offset && offset + length <= s.end);
    if (span) {
      const part = await this.range(where.pack, span);
      return unpackBlob(part.bytes.subarray(offset - part.start, offset - part.start + length), compression, raw_length, id, this.idKey);
    }
    const plain = await this.pack(where.pack);
    try {
      if (offset + length > plain.length) throw new IntegrityError(`Pack ${where.pack.slice(0, 12)} is shorter than its index says.`);
      return unpackBlob(plain.subarray(offset, offset + length), compression, raw_length, id, this.idKey);
    } catch (error) {
      if (!this.opening.record && sha256(plain) !== where.pack) throw this.damaged(where.pack);
      throw error;
    }
  }
  /** Ranges read (plaintext from `start`), and being read. */
  ranges = new LoadCache(CACHED_RANGE_BYTES, (part) => part.bytes.length);
  range(pack, span) {
    return this.ranges.get(`${pack}:${span.start}`, () => this.opening.record ? this.sealedRange(pack, span) : this.plainRange(pack, span));
  }
  async plainRange(pack, span) {
    const bytes = await this.readPart(pack, span.start, span.end - span.start);
    return { start: span.start, bytes };
  }
  async readPart(pack, offset, length) {
    const bytes = await readRange(this.target, repoKeys.pack(this.plan, pack), offset, length, `Pack ${pack.slice(0, 12)}`).catch((error) => {
      throw error instanceof NotFoundError ? new IntegrityError(`Pack ${pack.slice(0, 12)} is missing on target "${this.target.name}".`, { hint: "Restore from another target (--target NAME)." }) : error;
    });
    this.read.ranges += 1;
    this.read.bytes += bytes.length;
    return bytes;
  }
  /** Payload keys of encrypted packs read by range (a header read and opened once per pack). */
  heads = /* @__PURE__ */ new Map();
  head(pack) {
    let head = this.heads.get(pack);
    if (!head) {
      head = (async () => {
        const size = this.sizes.get(pack);
        const what = `Pack ${pack.slice(0, 12)}`;
        let bytes = await this.readPart(pack, 0, Math.min(size, 4096));
        let end = headerEnd(bytes);
        if (end === void 0 && size > bytes.length) {
          bytes = await this.readPart(pack, 0, Math.min(size, MAX_HEADER));
          end = headerEnd(bytes);
        }
        if (end === void 0 || bytes.length < end + 16) throw new IntegrityError(`${what} on target "${this.target.name}" has no whole age header.`, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
        const fileKey = await openHeader(bytes.subarray(0, end), this.opening.record, this.opening.keys ?? { identities: [] }, what);
        return { key: payloadKey(fileKey, bytes.subarray(end, end + 16)), payloadAt: end + 16 };
      })();
      head.catch(() => this.heads.delete(pack));
      this.heads.set(pack, head);
    }
    return head;
  }
  /**
   * A span of an encrypted pack: the age payload chunks that hold it, each
   * opened alone (its number is its place; the last one, known from the
   * pack's size, carries the last-chunk flag).
   */
  async sealedRange(pack, span) {
    const { key, payloadAt } = await this.head(pack);
    const size = this.sizes.get(pack);
    const chunks = Math.max(1, Math.ceil((size - payloadAt) / SEALED_CHUNK));
    const first = Math.floor(span.start / CHUNK);
    const last = Math.min(chunks - 1, Math.floor((span.end - 1) / CHUNK));
    const from = payloadAt + first * SEALED_CHUNK;
    const sealed = await this.readPart(pack, from, Math.min(size, payloadAt + (last + 1) * SEALED_CHUNK) - from);
    const parts = [];
    for (let n = first; n <= last; n += 1) {
      const at = (n - first) * SEALED_CHUNK;
      try {
        parts.push(openChunk(key, n, n === chunks - 1, sealed.subarray(at, at + SEALED_CHUNK)));
      } catch (error) {
        throw new IntegrityError(`Pack ${pack.slice(0, 12)} on target "${this.target.name}" is damaged: ${error.message} (payload chunk ${n}).`, { hint: "Restore from another target (--target NAME), and run `restorable verify`." });
      }
    }
    return { start: first * CHUNK, bytes: Buffer.concat(parts) };
  }
  async tree(id) {
    return parseTree(await this.blob(id), id);
  }
};
function announce(reader, ids) {
  if (!reader.willRead || !reader.where) return;
  const needs = /* @__PURE__ */ new Map();
  for (const id of ids) {
    const at = reader.where(id);
    if (!at) continue;
    let spans = needs.get(at.pack);
    if (!spans) needs.set(at.pack, spans = []);
    spans.push({ start: at.offset, end: at.offset + at.length });
  }
  reader.willRead(needs);
}
var FallbackReader = class {
  constructor(primary, others, warn) {
    this.primary = primary;
    this.others = others;
    this.warn = warn;
  }
  opened;
  warned = /* @__PURE__ */ new Set();
  async blob(id) {
    try {
      return await this.primary.blob(id);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      this.opened ??= await this.others();
      for (const reader of this.opened) {
        const bytes = await reader.blob(id).catch(() => void 0);
        if (!bytes) continue;
        if (!this.warned.has(error.message)) {
          this.warned.add(error.message);
          this.warn(`${error.message} Read what it held from target "${reader.target.name}" instead; run \`restorable verify\`.`);
        }
        return bytes;
      }
      throw error;
    }
  }
  async tree(id) {
    return parseTree(await this.blob(id), id);
  }
  where(id) {
    return this.primary.where(id);
  }
  willRead(needs) {
    this.primary.willRead(needs);
  }
};
function parseTree(bytes, id) {
  {
    let parsed;
    try {
      parsed = tree.safeParse(JSON.parse(bytes.toString("utf8")));
    } catch {
      parsed = void 0;
    }
    if (!parsed?.success) throw new IntegrityError(`Tree ${id.slice(0, 12)} is not a folder listing restorable reads.`);
    const names = parsed.data.nodes.map((n) => n.name);
    if (new Set(names).size !== names.length) throw new IntegrityError(`Tree ${id.slice(0, 12)} names one entry twice.`, { hint: "The snapshot is unsafe to restore; nothing was written from it." });
    return parsed.data;
  }
}
function parseSnapshot(plain, what) {
  let parsed;
  try {
    parsed = snapshotObject.safeParse(JSON.parse(plain.toString("utf8")));
  } catch {
    parsed = void 0;
  }
  if (!parsed?.success) throw new IntegrityError(`${what} is not a restorable snapshot.`, { hint: "Use another backup (--backup ID)." });
  return parsed.data;
}

export {
  reclaimer,
  collectNow,
  REPO_FORMAT,
  repoKeys,
  PACK_MAGIC,
  nodeName,
  snapshotFile,
  KeyTable,
  widen,
  BlobMap,
  IdSet,
  blobId,
  packBlob,
  seal,
  open,
  DEFAULT_CHUNKER,
  gearTable,
  nextCut,
  readAll,
  sha256,
  digestOf,
  putVerified,
  listRepo,
  newConfig,
  readConfig,
  loadIndex,
  loadRepo,
  objectSealing,
  objectRecord,
  objectKeys,
  chooseSecret,
  storeSecret,
  openSecret,
  RepoReader,
  announce,
  FallbackReader,
  parseSnapshot
};
