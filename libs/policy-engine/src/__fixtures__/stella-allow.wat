;; A hand-written OPA policy module against the documented OPA wasm ABI 1.x
;; (https://www.openpolicyagent.org/docs/latest/wasm/): there is no `opa` compiler on these
;; machines, so this stands in for what `opa build -t wasm -e stella/allow -e stella/bad` emits.
;;
;; Values are addresses of NUL-terminated JSON text, so opa_json_parse copies the bytes and
;; opa_json_dump is the identity. The decision is real: entrypoint 0 (`stella/allow`) scans the
;; input JSON for `"kev":true` and answers
;;   [{"result":{"allow":false,"reasons":["known exploited vulnerability present"]}}]  or  [{"result":true}];
;; entrypoint 1 (`stella/bad`) answers a malformed decision ([{"result":"yes"}]).
;; The abi minor version (2: `opa_eval` fast path; 1: the eval-context path) is patched by the test.
(module
  (import "env" "memory" (memory 1))
  (import "env" "opa_abort" (func $opa_abort (param i32)))
  (global $heap (mut i32) (i32.const 1024))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))

  (data (i32.const 16) "{}\00")
  (data (i32.const 32) "{\22stella/allow\22:0,\22stella/bad\22:1}\00")
  (data (i32.const 128) "\22kev\22:true")
  (data (i32.const 160) "[{\22result\22:{\22allow\22:false,\22reasons\22:[\22known exploited vulnerability present\22]}}]\00")
  (data (i32.const 320) "[{\22result\22:true}]\00")
  (data (i32.const 352) "[{\22result\22:\22yes\22}]\00")

  (func $malloc (export "opa_malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (block $done
      (loop $grow
        (br_if $done (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then (call $opa_abort (i32.const 16))))
        (br $grow)))
    (local.get $p))

  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param $p i32) (global.set $heap (local.get $p)))

  (func (export "opa_json_parse") (param $addr i32) (param $len i32) (result i32)
    (local $p i32) (local $i i32)
    (local.set $p (call $malloc (i32.add (local.get $len) (i32.const 1))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (local.get $p) (local.get $i)) (i32.load8_u (i32.add (local.get $addr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (i32.store8 (i32.add (local.get $p) (local.get $len)) (i32.const 0))
    (local.get $p))

  (func (export "opa_json_dump") (param $v i32) (result i32) (local.get $v))
  (func (export "builtins") (result i32) (i32.const 16))
  (func (export "entrypoints") (result i32) (i32.const 32))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (local.get $n))

  ;; 1 when the 10-byte needle at 128 occurs in [p, p+len)
  (func $contains (param $p i32) (param $len i32) (result i32)
    (local $i i32) (local $j i32)
    (block $absent
      (loop $outer
        (br_if $absent (i32.gt_s (i32.add (local.get $i) (i32.const 10)) (local.get $len)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $inner
            (br_if $mismatch
              (i32.ne
                (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $i) (local.get $j))))
                (i32.load8_u (i32.add (i32.const 128) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (if (i32.eq (local.get $j) (i32.const 10)) (then (return (i32.const 1))))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const 0))

  (func $decide (param $entry i32) (param $p i32) (param $len i32) (result i32)
    (if (i32.eq (local.get $entry) (i32.const 1)) (then (return (i32.const 352))))
    (if (result i32) (call $contains (local.get $p) (local.get $len))
      (then (i32.const 160))
      (else (i32.const 320))))

  ;; ABI 1.2 fast path
  (func (export "opa_eval")
    (param $reserved i32) (param $entry i32) (param $data i32) (param $input i32) (param $len i32)
    (param $heapPtr i32) (param $format i32) (result i32)
    (global.set $heap (local.get $heapPtr))
    (call $decide (local.get $entry) (local.get $input) (local.get $len)))

  ;; ABI 1.0/1.1 evaluation context: [0] input, [4] data, [8] entrypoint, [12] result
  (func (export "opa_eval_ctx_new") (result i32) (call $malloc (i32.const 16)))
  (func (export "opa_eval_ctx_set_input") (param $ctx i32) (param $v i32) (i32.store (local.get $ctx) (local.get $v)))
  (func (export "opa_eval_ctx_set_data") (param $ctx i32) (param $v i32) (i32.store offset=4 (local.get $ctx) (local.get $v)))
  (func (export "opa_eval_ctx_set_entrypoint") (param $ctx i32) (param $e i32) (i32.store offset=8 (local.get $ctx) (local.get $e)))
  (func (export "opa_eval_ctx_get_result") (param $ctx i32) (result i32) (i32.load offset=12 (local.get $ctx)))
  (func (export "eval") (param $ctx i32) (result i32)
    (local $in i32)
    (local.set $in (i32.load (local.get $ctx)))
    (i32.store offset=12 (local.get $ctx)
      (call $decide (i32.load offset=8 (local.get $ctx)) (local.get $in) (call $strlen (local.get $in))))
    (i32.const 0))
)
