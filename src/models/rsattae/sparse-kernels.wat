;; Sparse-by-dense kernels of RSAttAE's autoencoders, in hand-written WebAssembly with 128-bit SIMD
;; (four float32 lanes).
;;
;; Why: the autoencoders read and write the rating matrix R (943 × 1,682 for ml-100k), of which
;; ~5% of the cells are observed. As dense tensor ops, the first encoder layer R·W₁, the last decoder
;; layer and their gradients are four ~200 M multiply-add products per step plus ~10 element-wise
;; passes over R; restricted to the observed cells they are ~10 M multiply-adds. See
;; `sparse-ops.ts` for how the autoencoder uses them.
;;
;; Build: `node scripts/build-wasm.mjs` (wabt's wat2wasm, a devDependency)
;; writes `sparse-kernels-wasm.ts`, the module's bytes as base64; a test checks that it is current.
;;
;; Conventions:
;; - Pointers are byte offsets into the exported memory, 16-byte aligned.
;; - Dense matrices are row-major with rows of `h` float32s, `h` a positive multiple of 4.
;; - A list of `n` cells is two int32 arrays (row index, column index) and, where needed, a
;;   float32 array of values. The caller checks every index before calling.
(module
  (memory (export "memory") 1)

  ;; out[rows[k], :] += vals[k] * src[cols[k], :] for k < n; cells whose value is 0 are skipped
  ;; (dropped-out inputs). With (rows, cols) = (r, c) this is out += X·src for the sparse X;
  ;; with (rows, cols) = (c, r) it is out += Xᵀ·src.
  (func (export "scatterRows")
    (param $rows i32) (param $cols i32) (param $vals i32) (param $n i32)
    (param $src i32) (param $out i32) (param $h i32)
    (local $k i32) (local $v f32) (local $vv v128) (local $a i32) (local $b i32) (local $end i32) (local $rowBytes i32)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $rowBytes (i32.shl (local.get $h) (i32.const 2)))
    (loop $cells
      (local.set $v (f32.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 2)))))
      (if (f32.ne (local.get $v) (f32.const 0))
        (then
          (local.set $vv (f32x4.splat (local.get $v)))
          (local.set $a (i32.add (local.get $out)
            (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))) (local.get $rowBytes))))
          (local.set $b (i32.add (local.get $src)
            (i32.mul (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))) (local.get $rowBytes))))
          (local.set $end (i32.add (local.get $a) (local.get $rowBytes)))
          (loop $lanes
            (v128.store (local.get $a)
              (f32x4.add (v128.load (local.get $a)) (f32x4.mul (local.get $vv) (v128.load (local.get $b)))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (br_if $lanes (i32.lt_u (local.get $a) (local.get $end))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $cells (i32.lt_u (local.get $k) (local.get $n)))))

  ;; out[k] = a[rows[k], :] · b[cols[k], :] for k < n: the cells (rows[k], cols[k]) of A·Bᵀ.
  (func (export "cellDots")
    (param $rows i32) (param $cols i32) (param $n i32)
    (param $A i32) (param $B i32) (param $out i32) (param $h i32)
    (local $k i32) (local $a i32) (local $b i32) (local $end i32) (local $rowBytes i32) (local $acc v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $rowBytes (i32.shl (local.get $h) (i32.const 2)))
    (loop $cells
      (local.set $a (i32.add (local.get $A)
        (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2)))) (local.get $rowBytes))))
      (local.set $b (i32.add (local.get $B)
        (i32.mul (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))) (local.get $rowBytes))))
      (local.set $end (i32.add (local.get $a) (local.get $rowBytes)))
      (local.set $acc (v128.const i64x2 0 0))
      (loop $lanes
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $lanes (i32.lt_u (local.get $a) (local.get $end))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
        (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $cells (i32.lt_u (local.get $k) (local.get $n)))))
)
