;; SGD kernels of Heed's matrix-factorisation models (BiasedMF and SVD++), in hand-written
;; WebAssembly with 128-bit SIMD (four float32 lanes).
;;
;; Why WebAssembly: a carefully written plain-JS BiasedMF epoch (contiguous ratings, Float32Array,
;; loops unrolled by four, precomputed decay) ran at about 2.3 M ratings/s at k = 100 on the
;; project's 2-core machine, while Surprise's Cython SVD does 1.9-4 M/s and the target is 3.6 M/s
;; including the per-epoch shuffle. These kernels do about 10 M ratings/s there.
;;
;; Build: `node scripts/build-wasm.mjs` (wabt's wat2wasm, a devDependency) writes
;; `mf-kernels-wasm.ts`, the module's bytes as base64; the test suite checks that file is current.
;;
;; Conventions shared by every kernel:
;; - All pointers are byte offsets into the exported memory, 16-byte aligned.
;; - Factor rows (P, Q, Y) hold `k` float32s, `k` a positive multiple of 8; the model pads its
;;   factor count with zero columns, which stay zero under every update below.
;; - Regularisation is applied as multiplicative decay: x + lr*(g - reg*x) = (1 - lr*reg)*x + lr*g,
;;   so the kernels take the decay factors `dec = 1 - lr*reg` rather than `reg`.
;; - Every kernel returns the sum of squared errors it saw (errors before each update), in float64.
;; - The memory is imported and shared (wasm threads): with `threads` > 1 every worker thread
;;   instantiates this module over the same memory, so that all of them update one set of factors
;;   (see mf-parallel.ts). On one thread the shared memory behaves exactly like a private one.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Fisher-Yates shuffle of `n` 16-byte records in place. The random draws come from the caller
  ;; (Heed's seeded Rng): swaps[t] (uint32, 0 <= swaps[t] <= t) is the partner of position t, for
  ;; t = n-1 down to 1.
  (func (export "shuffleRecords") (param $rec i32) (param $swaps i32) (param $n i32)
    (local $t i32) (local $a i32) (local $b i32) (local $tmp v128)
    (if (i32.le_u (local.get $n) (i32.const 1)) (then (return)))
    (local.set $t (i32.sub (local.get $n) (i32.const 1)))
    (loop $swap
      (local.set $a (i32.add (local.get $rec) (i32.shl (local.get $t) (i32.const 4))))
      (local.set $b (i32.add (local.get $rec)
        (i32.shl (i32.load (i32.add (local.get $swaps) (i32.shl (local.get $t) (i32.const 2)))) (i32.const 4))))
      (local.set $tmp (v128.load (local.get $a)))
      (v128.store (local.get $a) (v128.load (local.get $b)))
      (v128.store (local.get $b) (local.get $tmp))
      (local.set $t (i32.sub (local.get $t) (i32.const 1)))
      (br_if $swap (i32.gt_u (local.get $t) (i32.const 0)))))

  ;; Fisher-Yates shuffle of 8-byte pairs within each of `nSeg` segments in place. Segment s spans
  ;; pairs [offsets[s], offsets[s+1]); swaps[t] (0 <= swaps[t] <= t - start) is the partner of
  ;; global position t, relative to its segment's start.
  (func (export "shuffleSegments") (param $pairs i32) (param $offsets i32) (param $nSeg i32) (param $swaps i32)
    (local $s i32) (local $start i32) (local $t i32) (local $a i32) (local $b i32) (local $tmp i64)
    (if (i32.eqz (local.get $nSeg)) (then (return)))
    (loop $segment
      (local.set $start (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $t (i32.sub
        (i32.load (i32.add (local.get $offsets) (i32.shl (i32.add (local.get $s) (i32.const 1)) (i32.const 2))))
        (i32.const 1)))
      (block $segmentDone
        (loop $swap
          (br_if $segmentDone (i32.le_s (local.get $t) (local.get $start)))
          (local.set $a (i32.add (local.get $pairs) (i32.shl (local.get $t) (i32.const 3))))
          (local.set $b (i32.add (local.get $pairs) (i32.shl
            (i32.add (local.get $start) (i32.load (i32.add (local.get $swaps) (i32.shl (local.get $t) (i32.const 2)))))
            (i32.const 3))))
          (local.set $tmp (i64.load (local.get $a)))
          (i64.store (local.get $a) (i64.load (local.get $b)))
          (i64.store (local.get $b) (local.get $tmp))
          (local.set $t (i32.sub (local.get $t) (i32.const 1)))
          (br $swap)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $segment (i32.lt_u (local.get $s) (local.get $nSeg)))))

  ;; One BiasedMF SGD epoch (Koren, Bell & Volinsky 2009, Eq. 4 and 5) over `n` records of
  ;; {user i32, item i32, rating f32, unused 4 bytes}, in their stored order:
  ;;   e   = r - (mu + bu + bi + q_i . p_u)
  ;;   bu <- decB*bu + lrB*e            bi <- decB*bi + lrB*e
  ;;   p_u <- dec*p_u + lr*e*q_i         q_i <- dec*q_i + lr*e*p_u   (both from the old values)
  (func (export "biasedEpoch")
    (param $P i32) (param $Q i32) (param $BU i32) (param $BI i32) (param $rec i32) (param $n i32) (param $k i32)
    (param $mu f32) (param $lr f32) (param $dec f32) (param $lrB f32) (param $decB f32)
    (result f64)
    (local $r i32) (local $end i32) (local $u i32) (local $i i32) (local $a i32) (local $b i32) (local $rowEnd i32)
    (local $rowBytes i32) (local $buAt i32) (local $biAt i32)
    (local $acc0 v128) (local $acc1 v128) (local $pv v128) (local $qv v128) (local $vg v128) (local $vdec v128)
    (local $err f32) (local $bu f32) (local $bi f32) (local $loss f64)
    (local.set $vdec (f32x4.splat (local.get $dec)))
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $r (local.get $rec))
    (local.set $end (i32.add (local.get $rec) (i32.shl (local.get $n) (i32.const 4))))
    (if (i32.eqz (local.get $n)) (then (return (f64.const 0))))
    (loop $ratings
      (local.set $u (i32.load (local.get $r)))
      (local.set $i (i32.load offset=4 (local.get $r)))
      (local.set $a (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
      (local.set $b (i32.add (local.get $Q) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $rowEnd (i32.add (local.get $a) (local.get $rowBytes)))
      ;; q_i . p_u with two accumulators (k is a multiple of 8).
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (loop $dot
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $acc1 (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br_if $dot (i32.lt_u (local.get $a) (local.get $rowEnd))))
      (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
      (local.set $buAt (i32.add (local.get $BU) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $biAt (i32.add (local.get $BI) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $bu (f32.load (local.get $buAt)))
      (local.set $bi (f32.load (local.get $biAt)))
      (local.set $err (f32.sub (f32.load offset=8 (local.get $r))
        (f32.add
          (f32.add (f32.add (local.get $mu) (local.get $bu)) (local.get $bi))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
      (local.set $loss (f64.add (local.get $loss) (f64.promote_f32 (f32.mul (local.get $err) (local.get $err)))))
      (f32.store (local.get $buAt)
        (f32.add (f32.mul (local.get $decB) (local.get $bu)) (f32.mul (local.get $lrB) (local.get $err))))
      (f32.store (local.get $biAt)
        (f32.add (f32.mul (local.get $decB) (local.get $bi)) (f32.mul (local.get $lrB) (local.get $err))))
      ;; Factor updates, four lanes at a time.
      (local.set $vg (f32x4.splat (f32.mul (local.get $lr) (local.get $err))))
      (local.set $a (i32.sub (local.get $a) (local.get $rowBytes)))
      (local.set $b (i32.sub (local.get $b) (local.get $rowBytes)))
      (loop $update
        (local.set $pv (v128.load (local.get $a)))
        (local.set $qv (v128.load (local.get $b)))
        (v128.store (local.get $a)
          (f32x4.add (f32x4.mul (local.get $vdec) (local.get $pv)) (f32x4.mul (local.get $vg) (local.get $qv))))
        (v128.store (local.get $b)
          (f32x4.add (f32x4.mul (local.get $vdec) (local.get $qv)) (f32x4.mul (local.get $vg) (local.get $pv))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $update (i32.lt_u (local.get $a) (local.get $rowEnd))))
      (local.set $r (i32.add (local.get $r) (i32.const 16)))
      (br_if $ratings (i32.lt_u (local.get $r) (local.get $end))))
    (local.get $loss))

  ;; The same SGD steps as biasedEpoch over one block of a parallel fit (mf-parallel.ts), with
  ;; 12-byte records {user i32, item i32, rating f32} (a quarter less memory to lay out and stream
  ;; than biasedEpoch's 16) and rows of `k` floats for any positive multiple of 4 (k = 100 needs
  ;; no padding to 104): the dot product runs 16 floats at a time in four accumulators, then 4 at a
  ;; time. On ml-1m at k = 100 a pass over all blocks took about 5% less CPU time than biasedEpoch
  ;; over the same blocks at k = 104.
  (func (export "biasedBlock")
    (param $P i32) (param $Q i32) (param $BU i32) (param $BI i32) (param $rec i32) (param $n i32) (param $k i32)
    (param $mu f32) (param $lr f32) (param $dec f32) (param $lrB f32) (param $decB f32)
    (result f64)
    (local $r i32) (local $end i32) (local $u i32) (local $i i32) (local $a i32) (local $b i32) (local $rowEnd i32)
    (local $wideEnd i32) (local $rowBytes i32) (local $wideBytes i32) (local $buAt i32) (local $biAt i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $pv v128) (local $qv v128) (local $vg v128) (local $vdec v128)
    (local $err f32) (local $bu f32) (local $bi f32) (local $loss f64)
    (local.set $vdec (f32x4.splat (local.get $dec)))
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    ;; The part of a row done 16 floats (64 bytes) at a time; the rest, 4 at a time.
    (local.set $wideBytes (i32.and (local.get $rowBytes) (i32.const -64)))
    (local.set $r (local.get $rec))
    (local.set $end (i32.add (local.get $rec) (i32.mul (local.get $n) (i32.const 12))))
    (if (i32.eqz (local.get $n)) (then (return (f64.const 0))))
    (loop $ratings
      (local.set $u (i32.load (local.get $r)))
      (local.set $i (i32.load offset=4 (local.get $r)))
      (local.set $a (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
      (local.set $b (i32.add (local.get $Q) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $rowEnd (i32.add (local.get $a) (local.get $rowBytes)))
      (local.set $wideEnd (i32.add (local.get $a) (local.get $wideBytes)))
      (local.set $acc0 (v128.const i64x2 0 0))
      (local.set $acc1 (v128.const i64x2 0 0))
      (local.set $acc2 (v128.const i64x2 0 0))
      (local.set $acc3 (v128.const i64x2 0 0))
      (block $wideDone
        (br_if $wideDone (i32.ge_u (local.get $a) (local.get $wideEnd)))
        (loop $wide
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
          (local.set $acc2 (f32x4.add (local.get $acc2)
            (f32x4.mul (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b)))))
          (local.set $acc3 (f32x4.add (local.get $acc3)
            (f32x4.mul (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 64)))
          (local.set $b (i32.add (local.get $b) (i32.const 64)))
          (br_if $wide (i32.lt_u (local.get $a) (local.get $wideEnd)))))
      (block $narrowDone
        (br_if $narrowDone (i32.ge_u (local.get $a) (local.get $rowEnd)))
        (loop $narrow
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (br_if $narrow (i32.lt_u (local.get $a) (local.get $rowEnd)))))
      (local.set $acc0 (f32x4.add
        (f32x4.add (local.get $acc0) (local.get $acc1))
        (f32x4.add (local.get $acc2) (local.get $acc3))))
      (local.set $buAt (i32.add (local.get $BU) (i32.shl (local.get $u) (i32.const 2))))
      (local.set $biAt (i32.add (local.get $BI) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $bu (f32.load (local.get $buAt)))
      (local.set $bi (f32.load (local.get $biAt)))
      (local.set $err (f32.sub (f32.load offset=8 (local.get $r))
        (f32.add
          (f32.add (f32.add (local.get $mu) (local.get $bu)) (local.get $bi))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
      (local.set $loss (f64.add (local.get $loss) (f64.promote_f32 (f32.mul (local.get $err) (local.get $err)))))
      (f32.store (local.get $buAt)
        (f32.add (f32.mul (local.get $decB) (local.get $bu)) (f32.mul (local.get $lrB) (local.get $err))))
      (f32.store (local.get $biAt)
        (f32.add (f32.mul (local.get $decB) (local.get $bi)) (f32.mul (local.get $lrB) (local.get $err))))
      (local.set $vg (f32x4.splat (f32.mul (local.get $lr) (local.get $err))))
      (local.set $a (i32.sub (local.get $rowEnd) (local.get $rowBytes)))
      (local.set $b (i32.sub (local.get $b) (local.get $rowBytes)))
      (loop $update
        (local.set $pv (v128.load (local.get $a)))
        (local.set $qv (v128.load (local.get $b)))
        (v128.store (local.get $a)
          (f32x4.add (f32x4.mul (local.get $vdec) (local.get $pv)) (f32x4.mul (local.get $vg) (local.get $qv))))
        (v128.store (local.get $b)
          (f32x4.add (f32x4.mul (local.get $vdec) (local.get $qv)) (f32x4.mul (local.get $vg) (local.get $pv))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br_if $update (i32.lt_u (local.get $a) (local.get $rowEnd))))
      (local.set $r (i32.add (local.get $r) (i32.const 12)))
      (br_if $ratings (i32.lt_u (local.get $r) (local.get $end))))
    (local.get $loss))

  ;; One SVD++ SGD epoch (Koren 2008, Eq. 15 and the updates below it), user by user.
  ;; users[0..nUsers) is the visiting order; user u's training ratings are the 8-byte pairs
  ;; {item i32, rating f32} at positions [offsets[u], offsets[u+1]) (already shuffled by the
  ;; caller), and those items are also N(u). For each user with c = |N(u)| > 0:
  ;;   z   = c^-1/2 * sum_{j in N(u)} y_j                   (computed once per user: scratch Z)
  ;;   for each rating (i, r):
  ;;     e   = r - (mu + bu + bi + q_i . (p_u + z))
  ;;     bu <- decB*bu + lrB*e        bi <- decB*bi + lrB*e
  ;;     G  += e * q_i                                       (old q_i; scratch G)
  ;;     p_u <- dec*p_u + lr*e*q_i     q_i <- dec*q_i + lr*e*(p_u + z)   (old values)
  ;;   then, once per user, for j in N(u):
  ;;     y_j <- yDecay[u]*y_j + lrY * c^-1/2 * G
  ;; Koren applies the y_j step after every rating; gathering it per user keeps z fixed within the
  ;; user's pass and makes an epoch O(#ratings * k) instead of O(sum_u |N(u)|^2 * k). The caller
  ;; chooses yDecay[u] (e.g. (1 - lrY*regY)^c, the decay c per-rating steps would have applied).
  (func (export "svdppEpoch")
    (param $P i32) (param $Q i32) (param $Y i32) (param $BU i32) (param $BI i32) (param $Z i32) (param $G i32)
    (param $yDecay i32) (param $users i32) (param $nUsers i32) (param $offsets i32) (param $pairs i32) (param $k i32)
    (param $mu f32) (param $lr f32) (param $dec f32) (param $lrB f32) (param $decB f32) (param $lrY f32)
    (result f64)
    (local $s i32) (local $u i32) (local $i i32) (local $first i32) (local $last i32) (local $pair i32)
    (local $a i32) (local $b i32) (local $c i32) (local $z i32) (local $g i32) (local $rowBytes i32) (local $zEnd i32)
    (local $buAt i32) (local $biAt i32)
    (local $acc0 v128) (local $acc1 v128) (local $pv v128) (local $qv v128) (local $zv v128) (local $vg v128) (local $ve v128)
    (local $vdec v128) (local $vnorm v128) (local $vydec v128)
    (local $err f32) (local $bu f32) (local $bi f32) (local $norm f32) (local $loss f64)
    (local.set $vdec (f32x4.splat (local.get $dec)))
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $zEnd (i32.add (local.get $Z) (local.get $rowBytes)))
    (if (i32.eqz (local.get $nUsers)) (then (return (f64.const 0))))
    (loop $usersLoop
      (local.set $u (i32.load (i32.add (local.get $users) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $first (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $last (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $c (i32.sub (local.get $last) (local.get $first)))
      (block $userDone
        (br_if $userDone (i32.le_s (local.get $c) (i32.const 0)))
        (local.set $norm (f32.div (f32.const 1) (f32.sqrt (f32.convert_i32_s (local.get $c)))))
        ;; Z = 0, G = 0.
        (local.set $z (local.get $Z))
        (local.set $g (local.get $G))
        (loop $clear
          (v128.store (local.get $z) (v128.const i64x2 0 0))
          (v128.store (local.get $g) (v128.const i64x2 0 0))
          (local.set $z (i32.add (local.get $z) (i32.const 16)))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (br_if $clear (i32.lt_u (local.get $z) (local.get $zEnd))))
        ;; Z = sum_j y_j.
        (local.set $pair (i32.add (local.get $pairs) (i32.shl (local.get $first) (i32.const 3))))
        (loop $sumY
          (local.set $b (i32.add (local.get $Y) (i32.mul (i32.load (local.get $pair)) (local.get $rowBytes))))
          (local.set $z (local.get $Z))
          (loop $addRow
            (v128.store (local.get $z) (f32x4.add (v128.load (local.get $z)) (v128.load (local.get $b))))
            (local.set $z (i32.add (local.get $z) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (br_if $addRow (i32.lt_u (local.get $z) (local.get $zEnd))))
          (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
          (br_if $sumY (i32.lt_u (local.get $pair)
            (i32.add (local.get $pairs) (i32.shl (local.get $last) (i32.const 3))))))
        ;; Z *= c^-1/2.
        (local.set $vnorm (f32x4.splat (local.get $norm)))
        (local.set $z (local.get $Z))
        (loop $scale
          (v128.store (local.get $z) (f32x4.mul (v128.load (local.get $z)) (local.get $vnorm)))
          (local.set $z (i32.add (local.get $z) (i32.const 16)))
          (br_if $scale (i32.lt_u (local.get $z) (local.get $zEnd))))
        ;; The user's ratings.
        (local.set $buAt (i32.add (local.get $BU) (i32.shl (local.get $u) (i32.const 2))))
        (local.set $pair (i32.add (local.get $pairs) (i32.shl (local.get $first) (i32.const 3))))
        (loop $ratings
          (local.set $i (i32.load (local.get $pair)))
          (local.set $a (i32.add (local.get $P) (i32.mul (local.get $u) (local.get $rowBytes))))
          (local.set $b (i32.add (local.get $Q) (i32.mul (local.get $i) (local.get $rowBytes))))
          (local.set $z (local.get $Z))
          ;; q_i . (p_u + z)
          (local.set $acc0 (v128.const i64x2 0 0))
          (local.set $acc1 (v128.const i64x2 0 0))
          (loop $dot
            (local.set $acc0 (f32x4.add (local.get $acc0)
              (f32x4.mul (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $z))) (v128.load (local.get $b)))))
            (local.set $acc1 (f32x4.add (local.get $acc1)
              (f32x4.mul (f32x4.add (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $z)))
                (v128.load offset=16 (local.get $b)))))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $b (i32.add (local.get $b) (i32.const 32)))
            (local.set $z (i32.add (local.get $z) (i32.const 32)))
            (br_if $dot (i32.lt_u (local.get $z) (local.get $zEnd))))
          (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
          (local.set $biAt (i32.add (local.get $BI) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bu (f32.load (local.get $buAt)))
          (local.set $bi (f32.load (local.get $biAt)))
          (local.set $err (f32.sub (f32.load offset=4 (local.get $pair))
            (f32.add
              (f32.add (f32.add (local.get $mu) (local.get $bu)) (local.get $bi))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))))
          (local.set $loss (f64.add (local.get $loss) (f64.promote_f32 (f32.mul (local.get $err) (local.get $err)))))
          (f32.store (local.get $buAt)
            (f32.add (f32.mul (local.get $decB) (local.get $bu)) (f32.mul (local.get $lrB) (local.get $err))))
          (f32.store (local.get $biAt)
            (f32.add (f32.mul (local.get $decB) (local.get $bi)) (f32.mul (local.get $lrB) (local.get $err))))
          (local.set $ve (f32x4.splat (local.get $err)))
          (local.set $vg (f32x4.splat (f32.mul (local.get $lr) (local.get $err))))
          (local.set $a (i32.sub (local.get $a) (local.get $rowBytes)))
          (local.set $b (i32.sub (local.get $b) (local.get $rowBytes)))
          (local.set $z (local.get $Z))
          (local.set $g (local.get $G))
          (loop $update
            (local.set $pv (v128.load (local.get $a)))
            (local.set $qv (v128.load (local.get $b)))
            (local.set $zv (v128.load (local.get $z)))
            (v128.store (local.get $g) (f32x4.add (v128.load (local.get $g)) (f32x4.mul (local.get $ve) (local.get $qv))))
            (v128.store (local.get $a)
              (f32x4.add (f32x4.mul (local.get $vdec) (local.get $pv)) (f32x4.mul (local.get $vg) (local.get $qv))))
            (v128.store (local.get $b)
              (f32x4.add (f32x4.mul (local.get $vdec) (local.get $qv))
                (f32x4.mul (local.get $vg) (f32x4.add (local.get $pv) (local.get $zv)))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (local.set $z (i32.add (local.get $z) (i32.const 16)))
            (br_if $update (i32.lt_u (local.get $z) (local.get $zEnd))))
          (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
          (br_if $ratings (i32.lt_u (local.get $pair)
            (i32.add (local.get $pairs) (i32.shl (local.get $last) (i32.const 3))))))
        ;; y_j <- yDecay[u]*y_j + lrY*c^-1/2*G for every j in N(u).
        (local.set $vydec (f32x4.splat (f32.load (i32.add (local.get $yDecay) (i32.shl (local.get $u) (i32.const 2))))))
        (local.set $vg (f32x4.splat (f32.mul (local.get $lrY) (local.get $norm))))
        (local.set $pair (i32.add (local.get $pairs) (i32.shl (local.get $first) (i32.const 3))))
        (loop $updateY
          (local.set $b (i32.add (local.get $Y) (i32.mul (i32.load (local.get $pair)) (local.get $rowBytes))))
          (local.set $g (local.get $G))
          (loop $yRow
            (v128.store (local.get $b)
              (f32x4.add (f32x4.mul (local.get $vydec) (v128.load (local.get $b)))
                (f32x4.mul (local.get $vg) (v128.load (local.get $g)))))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (local.set $g (i32.add (local.get $g) (i32.const 16)))
            (br_if $yRow (i32.lt_u (local.get $g) (i32.add (local.get $G) (local.get $rowBytes)))))
          (local.set $pair (i32.add (local.get $pair) (i32.const 8)))
          (br_if $updateY (i32.lt_u (local.get $pair)
            (i32.add (local.get $pairs) (i32.shl (local.get $last) (i32.const 3)))))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $usersLoop (i32.lt_u (local.get $s) (local.get $nUsers))))
    (local.get $loss))
)
