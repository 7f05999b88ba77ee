;; Coordinate-wise kernels of the factorization machine's MCMC and ALS solvers (`fm-mcmc.ts`),
;; in hand-written WebAssembly: Rendle (2012) "Factorization Machines with libFM", Sec. 4.1
;; Eq. 24-26 and Sec. 4.3 Fig. 4/5; Freudenthaler, Schmidt-Thieme & Rendle (2011).
;;
;; Why WebAssembly: the same loops as plain-JS typed-array code ran at about 13 ns per non-zero and
;; factor for the two passes of a factor update on the project's 2-core machine, against 3 ns for
;; the same loop compiled from C; V8 spends the difference on bounds and type checks.
;;
;; Bit-identical results: every kernel performs the IEEE double operations of the plain loops (see
;; `test/fm-kernels.test.ts`) in the same order. WebAssembly never fuses a multiply and an add,
;; and f64x2 lanes round exactly like scalar f64 ops, so a seed keeps giving the same draws. The
;; normal deviates come from the caller's seeded Rng, drawn in column order beforehand.
;;
;; Build: `node scripts/build-wasm.mjs` writes `fm-kernels-wasm.ts` (the bytes as base64); the test
;; suite checks that file is current.
;;
;; Conventions:
;; - Pointers are byte offsets into the imported memory; f64 arrays 8-byte aligned, the row-major
;;   factor copy 16-byte aligned.
;; - `eq` holds one 16-byte record per training row r: e_r = ŷ(x_r) − y_r, then q_f(x_r).
;; - Columns (CSC) give, per non-zero, the byte address of its row's eq record (`rowAddr`) and x.
;; - Prior arrays (mu, lambda) are f64 indexed by group * stride + f (stride 1, f 0 for w).
;; - `normals` points at one N(0,1) draw per active column (taken in column order), or is 0 for
;;   ALS: then the update takes the conditional mean instead of a draw. The sweeps return the
;;   pointer past the draws they used (0 for ALS), for the next range of columns.
;; - The column sweeps take a range of columns: `offsets`, `active`, `group` and the parameter
;;   pointer start at its first column, and `columns` is its width.
(module
  ;; Imported and shared (wasm threads): with `threads` > 1 worker threads instantiate this module
  ;; over the same memory and sweep their share of each one-hot run's columns (fm-sweep-pool.ts).
  ;; On one thread the shared memory behaves exactly like a private one.
  (import "env" "memory" (memory 1 65536 shared))

;; Both per-row passes below keep eight factors in flight per non-zero: four f64x2 accumulators
  ;; for Σ v x and four for Σ (v x)², lanes f = c .. c+7 of an eight-factor chunk c. vByRow holds V
  ;; row-major with `stride` doubles per column (factors rounded up to a multiple of 8; the padding
  ;; is zero and its lanes are ignored).

  ;; For every row r, with w, V at their current values:
  ;; - when $withE: e_r = (w0 + Σ_p w[c_p] x_p) + ½ Σ_f ((Σ_p v_{c_p,f} x_p)² − Σ_p (v_{c_p,f} x_p)²) − y_r
  ;;   into the eq record, the sums over the row's non-zeros in stored order (Eq. 1 with Eq. 5, as
  ;;   `predictRow`) and the total over f ascending;
  ;; - when $withQ: q_f(x_r) = Σ_p v_{c_p,f} x_p for every f into qf[f * n + r], the sums over the
  ;;   row's non-zeros in ascending column order (libFM's column-wise accumulation order; `sorted*`
  ;;   is the same design with each row's columns ascending).
  (func (export "rowSums")
    (param $eq i32) (param $target i32) (param $offsets i32) (param $cols i32) (param $vals i32)
    (param $sortedOffsets i32) (param $sortedCols i32) (param $sortedVals i32) (param $qf i32) (param $n i32)
    (param $w0 f64) (param $w i32) (param $vByRow i32) (param $factors i32) (param $stride i32)
    (param $withE i32) (param $withQ i32)
    (local $r i32) (local $start i32) (local $end i32) (local $p i32) (local $c i32)
    (local $rowBytes i32) (local $a i32) (local $out i32) (local $plane i32)
    (local $x f64) (local $y f64) (local $total f64)
    (local $xs v128) (local $t v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $plane (i32.shl (local.get $n) (i32.const 3)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
        (if (local.get $withE)
          (then
            (local.set $start (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
            ;; Linear part, in row order.
            (local.set $y (local.get $w0))
            (local.set $p (local.get $start))
            (block $linDone
              (loop $lin
                (br_if $linDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $y (f64.add (local.get $y)
                  (f64.mul
                    (f64.load (i32.add (local.get $w)
                      (i32.shl (i32.load (i32.add (local.get $cols) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3))))
                    (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $lin)))
            ;; Pairwise part, eight factors per chunk.
            (local.set $total (f64.const 0))
            (local.set $c (i32.const 0))
            (block $chunksDone
              (loop $chunk
                (br_if $chunksDone (i32.ge_u (local.get $c) (local.get $stride)))
                (local.set $s0 (v128.const i64x2 0 0))
                (local.set $s1 (v128.const i64x2 0 0))
                (local.set $s2 (v128.const i64x2 0 0))
                (local.set $s3 (v128.const i64x2 0 0))
                (local.set $q0 (v128.const i64x2 0 0))
                (local.set $q1 (v128.const i64x2 0 0))
                (local.set $q2 (v128.const i64x2 0 0))
                (local.set $q3 (v128.const i64x2 0 0))
                (local.set $p (local.get $start))
                (block $nzDone
                  (loop $nz
                    (br_if $nzDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $xs (f64x2.splat (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3))))))
                    (local.set $a (i32.add (i32.add (local.get $vByRow) (i32.shl (local.get $c) (i32.const 3)))
                      (i32.mul (i32.load (i32.add (local.get $cols) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes))))
                    (local.set $t (f64x2.mul (v128.load (local.get $a)) (local.get $xs)))
                    (local.set $s0 (f64x2.add (local.get $s0) (local.get $t)))
                    (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $t) (local.get $t))))
                    (local.set $t (f64x2.mul (v128.load offset=16 (local.get $a)) (local.get $xs)))
                    (local.set $s1 (f64x2.add (local.get $s1) (local.get $t)))
                    (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $t) (local.get $t))))
                    (local.set $t (f64x2.mul (v128.load offset=32 (local.get $a)) (local.get $xs)))
                    (local.set $s2 (f64x2.add (local.get $s2) (local.get $t)))
                    (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $t) (local.get $t))))
                    (local.set $t (f64x2.mul (v128.load offset=48 (local.get $a)) (local.get $xs)))
                    (local.set $s3 (f64x2.add (local.get $s3) (local.get $t)))
                    (local.set $q3 (f64x2.add (local.get $q3) (f64x2.mul (local.get $t) (local.get $t))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $nz)))
                ;; total += sum_f² − sumSq_f for f = c, c+1, ... while f < factors.
                (local.set $s0 (f64x2.sub (f64x2.mul (local.get $s0) (local.get $s0)) (local.get $q0)))
                (local.set $s1 (f64x2.sub (f64x2.mul (local.get $s1) (local.get $s1)) (local.get $q1)))
                (local.set $s2 (f64x2.sub (f64x2.mul (local.get $s2) (local.get $s2)) (local.get $q2)))
                (local.set $s3 (f64x2.sub (f64x2.mul (local.get $s3) (local.get $s3)) (local.get $q3)))
                (block $lanesDone
                  (br_if $lanesDone (i32.ge_u (local.get $c) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 0 (local.get $s0))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 1)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 1 (local.get $s0))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 2)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 0 (local.get $s1))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 3)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 1 (local.get $s1))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 4)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 0 (local.get $s2))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 5)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 1 (local.get $s2))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 6)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 0 (local.get $s3))))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 7)) (local.get $factors)))
                  (local.set $total (f64.add (local.get $total) (f64x2.extract_lane 1 (local.get $s3)))))
                (local.set $c (i32.add (local.get $c) (i32.const 8)))
                (br $chunk)))
            (f64.store (i32.add (local.get $eq) (i32.shl (local.get $r) (i32.const 4)))
              (f64.sub
                (f64.add (local.get $y) (f64.mul (f64.const 0.5) (local.get $total)))
                (f64.load (i32.add (local.get $target) (i32.shl (local.get $r) (i32.const 3))))))))
        (if (local.get $withQ)
          (then
            (local.set $start (i32.load (i32.add (local.get $sortedOffsets) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $sortedOffsets) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $c (i32.const 0))
            (block $chunksDone
              (loop $chunk
                (br_if $chunksDone (i32.ge_u (local.get $c) (local.get $stride)))
                (local.set $s0 (v128.const i64x2 0 0))
                (local.set $s1 (v128.const i64x2 0 0))
                (local.set $s2 (v128.const i64x2 0 0))
                (local.set $s3 (v128.const i64x2 0 0))
                (local.set $p (local.get $start))
                (block $nzDone
                  (loop $nz
                    (br_if $nzDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $xs (f64x2.splat (f64.load (i32.add (local.get $sortedVals) (i32.shl (local.get $p) (i32.const 3))))))
                    (local.set $a (i32.add (i32.add (local.get $vByRow) (i32.shl (local.get $c) (i32.const 3)))
                      (i32.mul (i32.load (i32.add (local.get $sortedCols) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes))))
                    (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $a)) (local.get $xs))))
                    (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $a)) (local.get $xs))))
                    (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=32 (local.get $a)) (local.get $xs))))
                    (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=48 (local.get $a)) (local.get $xs))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $nz)))
                ;; qf[f * n + r] for f = c, c+1, ... while f < factors.
                (local.set $out (i32.add (local.get $qf)
                  (i32.add (i32.mul (local.get $c) (local.get $plane)) (i32.shl (local.get $r) (i32.const 3)))))
                (block $lanesDone
                  (br_if $lanesDone (i32.ge_u (local.get $c) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $s0)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 1)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $s0)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 2)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $s1)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 3)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $s1)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 4)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $s2)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 5)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $s2)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 6)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 0 (local.get $s3)))
                  (local.set $out (i32.add (local.get $out) (local.get $plane)))
                  (br_if $lanesDone (i32.ge_u (i32.add (local.get $c) (i32.const 7)) (local.get $factors)))
                  (f64.store (local.get $out) (f64x2.extract_lane 1 (local.get $s3))))
                (local.set $c (i32.add (local.get $c) (i32.const 8)))
                (br $chunk)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Copies factor f's q (qf + 8 f n, one double per row) into the eq records before f is swept.
  (func (export "loadFactorSums") (param $eq i32) (param $q i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $q) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (f64.store offset=8 (local.get $eq) (f64.load (local.get $q)))
        (local.set $eq (i32.add (local.get $eq) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (br $row))))

  ;; σ² = 1 / (λ + α Σh²), mean = −σ² (α she − μ λ), and the draw mean + σ z (or the mean).
  (func $conditional
    (param $she f64) (param $shh f64) (param $alpha f64) (param $mu f64) (param $lambda f64) (param $normal i32)
    (result f64)
    (local $variance f64) (local $mean f64)
    (local.set $variance (f64.div (f64.const 1) (f64.add (local.get $lambda) (f64.mul (local.get $alpha) (local.get $shh)))))
    (local.set $mean (f64.mul (f64.neg (local.get $variance))
      (f64.sub (f64.mul (local.get $alpha) (local.get $she)) (f64.mul (local.get $mu) (local.get $lambda)))))
    (if (result f64) (local.get $normal)
      (then (f64.add (local.get $mean) (f64.mul (f64.sqrt (local.get $variance)) (f64.load (local.get $normal)))))
      (else (local.get $mean))))

  ;; Every active w_j in column order: h = x on its rows, she = Σ x (e − w_j x), shh = Σ x²; after
  ;; the draw, e += (w_j' − w_j) x on its rows. A non-finite draw leaves w_j and e as they were.
  (func (export "sweepLinear")
    (param $offsets i32) (param $rowAddr i32) (param $vals i32) (param $active i32) (param $group i32)
    (param $columns i32) (param $w i32) (param $alpha f64) (param $mu i32) (param $lambda i32) (param $normals i32)
    (result i32)
    (local $j i32) (local $p i32) (local $start i32) (local $end i32) (local $a i32) (local $g i32)
    (local $x f64) (local $old f64) (local $she f64) (local $shh f64) (local $next f64) (local $delta f64)
    (block $columnsDone
      (loop $column
        (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $columns)))
        (if (i32.load8_u (i32.add (local.get $active) (local.get $j)))
          (then
            (local.set $start (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $old (f64.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $she (f64.const 0))
            (local.set $shh (f64.const 0))
            (local.set $p (local.get $start))
            (block $sumsDone
              (loop $sums
                (br_if $sumsDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $x (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3)))))
                (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $p) (i32.const 2)))))
                (local.set $she (f64.add (local.get $she)
                  (f64.mul (local.get $x) (f64.sub (f64.load (local.get $a)) (f64.mul (local.get $old) (local.get $x))))))
                (local.set $shh (f64.add (local.get $shh) (f64.mul (local.get $x) (local.get $x))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $sums)))
            (local.set $g (i32.shl (i32.load (i32.add (local.get $group) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 3)))
            (local.set $next (call $conditional (local.get $she) (local.get $shh) (local.get $alpha)
              (f64.load (i32.add (local.get $mu) (local.get $g)))
              (f64.load (i32.add (local.get $lambda) (local.get $g)))
              (local.get $normals)))
            (if (local.get $normals) (then (local.set $normals (i32.add (local.get $normals) (i32.const 8)))))
            ;; Finite iff next − next = 0.
            (if (f64.eq (f64.sub (local.get $next) (local.get $next)) (f64.const 0))
              (then
                (f64.store (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3))) (local.get $next))
                (local.set $delta (f64.sub (local.get $next) (local.get $old)))
                (local.set $p (local.get $start))
                (block $updateDone
                  (loop $update
                    (br_if $updateDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $p) (i32.const 2)))))
                    (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
                      (f64.mul (local.get $delta) (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3)))))))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $update)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $column)))
    (local.get $normals))

  ;; Every active v_{j,f} of one factor f in column order, with q_f in the eq records:
  ;; h = x (q − v_{j,f} x), she = Σ h e − v_{j,f} Σ h², shh = Σ h²; after the draw,
  ;; q += x δ and e += h δ on its rows (h from before the update, kept in `hs`, scratch of the
  ;; longest column's length). `v` points at factor f's slice; the prior index is group * stride + f.
  (func (export "sweepFactor")
    (param $offsets i32) (param $rowAddr i32) (param $vals i32) (param $active i32) (param $group i32)
    (param $columns i32) (param $v i32) (param $alpha f64) (param $mu i32) (param $lambda i32)
    (param $stride i32) (param $f i32) (param $normals i32) (param $hs i32)
    (result i32)
    (local $j i32) (local $p i32) (local $start i32) (local $end i32) (local $a i32) (local $gf i32) (local $ph i32)
    (local $x f64) (local $h f64) (local $old f64) (local $she f64) (local $shh f64) (local $next f64) (local $delta f64)
    (block $columnsDone
      (loop $column
        (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $columns)))
        (if (i32.load8_u (i32.add (local.get $active) (local.get $j)))
          (then
            (local.set $start (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $old (f64.load (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $she (f64.const 0))
            (local.set $shh (f64.const 0))
            (local.set $p (local.get $start))
            (local.set $ph (local.get $hs))
            (block $sumsDone
              (loop $sums
                (br_if $sumsDone (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $x (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3)))))
                (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $p) (i32.const 2)))))
                (local.set $h (f64.mul (local.get $x)
                  (f64.sub (f64.load offset=8 (local.get $a)) (f64.mul (local.get $old) (local.get $x)))))
                (f64.store (local.get $ph) (local.get $h))
                (local.set $she (f64.add (local.get $she) (f64.mul (local.get $h) (f64.load (local.get $a)))))
                (local.set $shh (f64.add (local.get $shh) (f64.mul (local.get $h) (local.get $h))))
                (local.set $ph (i32.add (local.get $ph) (i32.const 8)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $sums)))
            (local.set $she (f64.sub (local.get $she) (f64.mul (local.get $old) (local.get $shh))))
            (local.set $gf (i32.shl
              (i32.add (i32.mul (i32.load (i32.add (local.get $group) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                (local.get $f))
              (i32.const 3)))
            (local.set $next (call $conditional (local.get $she) (local.get $shh) (local.get $alpha)
              (f64.load (i32.add (local.get $mu) (local.get $gf)))
              (f64.load (i32.add (local.get $lambda) (local.get $gf)))
              (local.get $normals)))
            (if (local.get $normals) (then (local.set $normals (i32.add (local.get $normals) (i32.const 8)))))
            (if (f64.eq (f64.sub (local.get $next) (local.get $next)) (f64.const 0))
              (then
                (f64.store (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3))) (local.get $next))
                (local.set $delta (f64.sub (local.get $next) (local.get $old)))
                (local.set $p (local.get $start))
                (local.set $ph (local.get $hs))
                (block $updateDone
                  (loop $update
                    (br_if $updateDone (i32.ge_u (local.get $p) (local.get $end)))
                    (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $p) (i32.const 2)))))
                    (f64.store offset=8 (local.get $a) (f64.add (f64.load offset=8 (local.get $a))
                      (f64.mul (f64.load (i32.add (local.get $vals) (i32.shl (local.get $p) (i32.const 3)))) (local.get $delta))))
                    (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
                      (f64.mul (f64.load (local.get $ph)) (local.get $delta))))
                    (local.set $ph (i32.add (local.get $ph) (i32.const 8)))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (br $update)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $column)))
    (local.get $normals))

  ;; The run kernels below update a run of columns [a, a + width) that no row has two non-zeros
  ;; in (a one-hot block: user ids, item ids, a categorical field). Updating one of its columns
  ;; changes e and q only on rows no other column of the run reads, so the run's updates can be
  ;; computed together, walking the run's non-zeros in row order (`rowAddr`, `cols` = column − a,
  ;; `vals`, `count` of them): each column's sums still add its rows in ascending order, the draws
  ;; still come in column order, and each row still gets its column's update once. Only the memory
  ;; access changes: one sequential pass over the rows instead of one scattered pass per column.
  ;; `acc` is scratch of 2 * width doubles (she, shh per column), `delta` of width doubles and
  ;; `moved` of width bytes (whether the column's draw was finite and applied).

  ;; Linear weights of a one-hot run (see `sweepLinear`).
  (func (export "sweepLinearRun")
    (param $rowAddr i32) (param $cols i32) (param $vals i32) (param $count i32)
    (param $active i32) (param $group i32) (param $width i32) (param $w i32)
    (param $alpha f64) (param $mu i32) (param $lambda i32) (param $normals i32)
    (param $acc i32) (param $delta i32) (param $moved i32)
    (result i32)
    (local $k i32) (local $j i32) (local $a i32) (local $s i32) (local $g i32) (local $cur i32)
    (local $x f64) (local $old f64) (local $next f64) (local $she f64) (local $shh f64)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $width) (i32.const 4)))
    ;; Pass 1: she_j += x (e − w_j x), shh_j += x² in row order. The current column's sums stay in
    ;; locals while consecutive rows share it (rows are often grouped by user).
    (local.set $cur (i32.const -1))
    (block $sumsDone
      (loop $sums
        (br_if $sumsDone (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $j (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))))
        (if (i32.ne (local.get $j) (local.get $cur))
          (then
            (if (i32.ge_s (local.get $cur) (i32.const 0))
              (then
                (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $cur) (i32.const 4))))
                (f64.store (local.get $s) (local.get $she))
                (f64.store offset=8 (local.get $s) (local.get $shh))))
            (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $she (f64.load (local.get $s)))
            (local.set $shh (f64.load offset=8 (local.get $s)))
            (local.set $old (f64.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $cur (local.get $j))))
        (local.set $x (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $she (f64.add (local.get $she)
          (f64.mul (local.get $x) (f64.sub (f64.load (local.get $a)) (f64.mul (local.get $old) (local.get $x))))))
        (local.set $shh (f64.add (local.get $shh) (f64.mul (local.get $x) (local.get $x))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sums)))
    (if (i32.ge_s (local.get $cur) (i32.const 0))
      (then
        (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $cur) (i32.const 4))))
        (f64.store (local.get $s) (local.get $she))
        (f64.store offset=8 (local.get $s) (local.get $shh))))
    ;; The draws, in column order.
    (local.set $j (i32.const 0))
    (block $drawsDone
      (loop $draws
        (br_if $drawsDone (i32.ge_u (local.get $j) (local.get $width)))
        (i32.store8 (i32.add (local.get $moved) (local.get $j)) (i32.const 0))
        (if (i32.load8_u (i32.add (local.get $active) (local.get $j)))
          (then
            (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $old (f64.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $g (i32.shl (i32.load (i32.add (local.get $group) (i32.shl (local.get $j) (i32.const 2)))) (i32.const 3)))
            (local.set $next (call $conditional (f64.load (local.get $s)) (f64.load offset=8 (local.get $s)) (local.get $alpha)
              (f64.load (i32.add (local.get $mu) (local.get $g)))
              (f64.load (i32.add (local.get $lambda) (local.get $g)))
              (local.get $normals)))
            (if (local.get $normals) (then (local.set $normals (i32.add (local.get $normals) (i32.const 8)))))
            (if (f64.eq (f64.sub (local.get $next) (local.get $next)) (f64.const 0))
              (then
                (f64.store (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3))) (local.get $next))
                (f64.store (i32.add (local.get $delta) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.sub (local.get $next) (local.get $old)))
                (i32.store8 (i32.add (local.get $moved) (local.get $j)) (i32.const 1))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $draws)))
    ;; Pass 2: e += δ_j x in row order.
    (local.set $k (i32.const 0))
    (block $updateDone
      (loop $update
        (br_if $updateDone (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $j (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))))
        (if (i32.load8_u (i32.add (local.get $moved) (local.get $j)))
          (then
            (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $k) (i32.const 2)))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
              (f64.mul (f64.load (i32.add (local.get $delta) (i32.shl (local.get $j) (i32.const 3))))
                (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3)))))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $update)))
    (local.get $normals))

  ;; Factor f of a one-hot run (see `sweepFactor`); `hs` is scratch of `count` doubles.
  (func (export "sweepFactorRun")
    (param $rowAddr i32) (param $cols i32) (param $vals i32) (param $count i32)
    (param $active i32) (param $group i32) (param $width i32) (param $v i32)
    (param $alpha f64) (param $mu i32) (param $lambda i32) (param $stride i32) (param $f i32) (param $normals i32)
    (param $hs i32) (param $acc i32) (param $delta i32) (param $moved i32)
    (result i32)
    (local $k i32) (local $j i32) (local $a i32) (local $s i32) (local $gf i32) (local $cur i32)
    (local $x f64) (local $h f64) (local $old f64) (local $she f64) (local $shh f64) (local $next f64) (local $d f64)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $width) (i32.const 4)))
    ;; Pass 1: h = x (q − v_j x), she_j += h e, shh_j += h² in row order, the current column's sums
    ;; in locals while consecutive rows share it (see `sweepLinearRun`).
    (local.set $cur (i32.const -1))
    (block $sumsDone
      (loop $sums
        (br_if $sumsDone (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $j (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))))
        (if (i32.ne (local.get $j) (local.get $cur))
          (then
            (if (i32.ge_s (local.get $cur) (i32.const 0))
              (then
                (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $cur) (i32.const 4))))
                (f64.store (local.get $s) (local.get $she))
                (f64.store offset=8 (local.get $s) (local.get $shh))))
            (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $she (f64.load (local.get $s)))
            (local.set $shh (f64.load offset=8 (local.get $s)))
            (local.set $old (f64.load (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $cur (local.get $j))))
        (local.set $x (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $h (f64.mul (local.get $x)
          (f64.sub (f64.load offset=8 (local.get $a)) (f64.mul (local.get $old) (local.get $x)))))
        (f64.store (i32.add (local.get $hs) (i32.shl (local.get $k) (i32.const 3))) (local.get $h))
        (local.set $she (f64.add (local.get $she) (f64.mul (local.get $h) (f64.load (local.get $a)))))
        (local.set $shh (f64.add (local.get $shh) (f64.mul (local.get $h) (local.get $h))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $sums)))
    (if (i32.ge_s (local.get $cur) (i32.const 0))
      (then
        (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $cur) (i32.const 4))))
        (f64.store (local.get $s) (local.get $she))
        (f64.store offset=8 (local.get $s) (local.get $shh))))
    ;; The draws, in column order.
    (local.set $j (i32.const 0))
    (block $drawsDone
      (loop $draws
        (br_if $drawsDone (i32.ge_u (local.get $j) (local.get $width)))
        (i32.store8 (i32.add (local.get $moved) (local.get $j)) (i32.const 0))
        (if (i32.load8_u (i32.add (local.get $active) (local.get $j)))
          (then
            (local.set $s (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $old (f64.load (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $shh (f64.load offset=8 (local.get $s)))
            (local.set $she (f64.sub (f64.load (local.get $s)) (f64.mul (local.get $old) (local.get $shh))))
            (local.set $gf (i32.shl
              (i32.add (i32.mul (i32.load (i32.add (local.get $group) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                (local.get $f))
              (i32.const 3)))
            (local.set $next (call $conditional (local.get $she) (local.get $shh) (local.get $alpha)
              (f64.load (i32.add (local.get $mu) (local.get $gf)))
              (f64.load (i32.add (local.get $lambda) (local.get $gf)))
              (local.get $normals)))
            (if (local.get $normals) (then (local.set $normals (i32.add (local.get $normals) (i32.const 8)))))
            (if (f64.eq (f64.sub (local.get $next) (local.get $next)) (f64.const 0))
              (then
                (f64.store (i32.add (local.get $v) (i32.shl (local.get $j) (i32.const 3))) (local.get $next))
                (f64.store (i32.add (local.get $delta) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.sub (local.get $next) (local.get $old)))
                (i32.store8 (i32.add (local.get $moved) (local.get $j)) (i32.const 1))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $draws)))
    ;; Pass 2: q += x δ_j, e += h δ_j in row order.
    (local.set $k (i32.const 0))
    (block $updateDone
      (loop $update
        (br_if $updateDone (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $j (i32.load (i32.add (local.get $cols) (i32.shl (local.get $k) (i32.const 2)))))
        (if (i32.load8_u (i32.add (local.get $moved) (local.get $j)))
          (then
            (local.set $a (i32.load (i32.add (local.get $rowAddr) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $d (f64.load (i32.add (local.get $delta) (i32.shl (local.get $j) (i32.const 3)))))
            (f64.store offset=8 (local.get $a) (f64.add (f64.load offset=8 (local.get $a))
              (f64.mul (f64.load (i32.add (local.get $vals) (i32.shl (local.get $k) (i32.const 3)))) (local.get $d))))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a))
              (f64.mul (f64.load (i32.add (local.get $hs) (i32.shl (local.get $k) (i32.const 3)))) (local.get $d))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $update)))
    (local.get $normals))
)
