;; The forward pass of the review CNN's convolution + max-pooling over time
;; (src/engine/layers/review-cnn.ts), in hand-written WebAssembly with 128-bit SIMD.
;;
;; Why: the fused kernel adds K rows of the projected word table per position and keeps a running
;; maximum and its position per kernel; in JavaScript this was 37% of a DeepCoNN step (profiled:
;; ~0.4 G adds/s), four float32 lanes at a time it is several times faster.
;;
;; Build: `node scripts/build-wasm.mjs` writes `conv-max-kernels-wasm.ts`; a test checks it is current.
;;
;; Layout (byte offsets into the exported memory, 16-byte aligned; F a positive multiple of 4):
;;   proj   [words, K·F] float32   row w holds W_0·e_w, …, W_{K−1}·e_w
;;   tokens [R·L] int32            local word index per position, −1 for padding
;;   best   [R·F] float32 (out)    the largest pre-activation (without the bias) per review, kernel
;;   arg    [R·F] int32 (out)      its position, −1 for a window of padding only (value 0)
;;   sum    [F] float32            scratch
(module
  (memory (export "memory") 1)

  (func (export "convMax")
    (param $proj i32) (param $tokens i32) (param $R i32) (param $L i32) (param $K i32) (param $F i32)
    (param $pad i32) (param $best i32) (param $arg i32) (param $sum i32)
    (local $r i32) (local $row i32) (local $len i32) (local $last i32) (local $j i32) (local $k i32)
    (local $t i32) (local $w i32) (local $src i32) (local $f i32) (local $fBytes i32) (local $rowBytes i32)
    (local $b i32) (local $a i32) (local $s v128) (local $cur v128) (local $m v128) (local $jv v128)
    (local.set $fBytes (i32.shl (local.get $F) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $fBytes) (local.get $K)))
    (block $doneReviews
      (loop $reviews
        (br_if $doneReviews (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $row (i32.add (local.get $tokens) (i32.shl (i32.mul (local.get $r) (local.get $L)) (i32.const 2))))
        ;; real length: trailing padding excluded
        (local.set $len (local.get $L))
        (block $lenDone
          (loop $lenLoop
            (br_if $lenDone (i32.eqz (local.get $len)))
            (br_if $lenDone (i32.ge_s
              (i32.load (i32.add (local.get $row) (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2))))
              (i32.const 0)))
            (local.set $len (i32.sub (local.get $len) (i32.const 1)))
            (br $lenLoop)))
        (local.set $last (i32.add (local.get $len) (local.get $pad)))
        (if (i32.gt_s (local.get $last) (local.get $L)) (then (local.set $last (local.get $L))))
        (local.set $b (i32.add (local.get $best) (i32.mul (local.get $r) (local.get $fBytes))))
        (local.set $a (i32.add (local.get $arg) (i32.mul (local.get $r) (local.get $fBytes))))
        ;; best = −inf, arg = −1
        (local.set $f (i32.const 0))
        (loop $init
          (v128.store (i32.add (local.get $b) (local.get $f)) (f32x4.splat (f32.const -inf)))
          (v128.store (i32.add (local.get $a) (local.get $f)) (i32x4.splat (i32.const -1)))
          (local.set $f (i32.add (local.get $f) (i32.const 16)))
          (br_if $init (i32.lt_u (local.get $f) (local.get $fBytes))))
        (local.set $j (i32.const 0))
        (block $donePositions
          (loop $positions
            (br_if $donePositions (i32.ge_s (local.get $j) (local.get $last)))
            ;; sum = 0
            (local.set $f (i32.const 0))
            (loop $zero
              (v128.store (i32.add (local.get $sum) (local.get $f)) (v128.const i32x4 0 0 0 0))
              (local.set $f (i32.add (local.get $f) (i32.const 16)))
              (br_if $zero (i32.lt_u (local.get $f) (local.get $fBytes))))
            ;; sum += proj[token(j + k − pad), block k]
            (local.set $k (i32.const 0))
            (loop $taps
              (local.set $t (i32.sub (i32.add (local.get $j) (local.get $k)) (local.get $pad)))
              (if (i32.and (i32.ge_s (local.get $t) (i32.const 0)) (i32.lt_s (local.get $t) (local.get $L)))
                (then
                  (local.set $w (i32.load (i32.add (local.get $row) (i32.shl (local.get $t) (i32.const 2)))))
                  (if (i32.ge_s (local.get $w) (i32.const 0))
                    (then
                      (local.set $src (i32.add (local.get $proj)
                        (i32.add (i32.mul (local.get $w) (local.get $rowBytes)) (i32.mul (local.get $k) (local.get $fBytes)))))
                      (local.set $f (i32.const 0))
                      (loop $add
                        (v128.store (i32.add (local.get $sum) (local.get $f))
                          (f32x4.add (v128.load (i32.add (local.get $sum) (local.get $f)))
                                     (v128.load (i32.add (local.get $src) (local.get $f)))))
                        (local.set $f (i32.add (local.get $f) (i32.const 16)))
                        (br_if $add (i32.lt_u (local.get $f) (local.get $fBytes))))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $taps (i32.lt_s (local.get $k) (local.get $K))))
            ;; best, arg = where(sum > best, (sum, j), (best, arg))
            (local.set $jv (i32x4.splat (local.get $j)))
            (local.set $f (i32.const 0))
            (loop $max
              (local.set $s (v128.load (i32.add (local.get $sum) (local.get $f))))
              (local.set $cur (v128.load (i32.add (local.get $b) (local.get $f))))
              (local.set $m (f32x4.gt (local.get $s) (local.get $cur)))
              (v128.store (i32.add (local.get $b) (local.get $f)) (v128.bitselect (local.get $s) (local.get $cur) (local.get $m)))
              (v128.store (i32.add (local.get $a) (local.get $f))
                (v128.bitselect (local.get $jv) (v128.load (i32.add (local.get $a) (local.get $f))) (local.get $m)))
              (local.set $f (i32.add (local.get $f) (i32.const 16)))
              (br_if $max (i32.lt_u (local.get $f) (local.get $fBytes))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $positions)))
        ;; windows of padding only give 0: where(best < 0, (0, −1), (best, arg))
        (if (i32.or (i32.lt_s (local.get $last) (local.get $L)) (i32.eqz (local.get $len)))
          (then
            (local.set $f (i32.const 0))
            (loop $padWindows
              (local.set $cur (v128.load (i32.add (local.get $b) (local.get $f))))
              (local.set $m (f32x4.lt (local.get $cur) (v128.const i32x4 0 0 0 0)))
              (v128.store (i32.add (local.get $b) (local.get $f))
                (v128.bitselect (v128.const i32x4 0 0 0 0) (local.get $cur) (local.get $m)))
              (v128.store (i32.add (local.get $a) (local.get $f))
                (v128.bitselect (i32x4.splat (i32.const -1)) (v128.load (i32.add (local.get $a) (local.get $f))) (local.get $m)))
              (local.set $f (i32.add (local.get $f) (i32.const 16)))
              (br_if $padWindows (i32.lt_u (local.get $f) (local.get $fBytes))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $reviews)))
  )
)
