"""Independent DSSE check for @stella/attest interop tests.

Reads a JSON request on stdin and writes a JSON answer on stdout. Uses only Debian's
python3-securesystemslib (0.26) for the cryptography; PAE and base64 handling are written here
from the DSSE spec, independently of the TypeScript implementation.

Request: {"verify": [{"key": <sslib public key dict>, "keyid": str, "envelope": {...}}],
          "sign":   [{"key": <sslib private key dict>, "keyid": str, "payloadType": str, "payload": b64}]}
Answer:  {"verify": [true|false, ...], "sign": [<DSSE envelope>, ...]}
"""
import base64
import binascii
import hashlib
import json
import sys

from securesystemslib.exceptions import UnverifiedSignatureError, VerificationError
from securesystemslib.signer import Signature, SSlibKey, SSlibSigner


def pae(payload_type: str, payload: bytes) -> bytes:
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def b64decode(text: str) -> bytes:
    # DSSE verifiers must accept standard and URL-safe base64.
    padded = text + "=" * (-len(text) % 4)
    if "-" in text or "_" in text:
        return base64.urlsafe_b64decode(padded)
    return base64.b64decode(padded, validate=True)


def sslib_keyid(keyid: str) -> str:
    # securesystemslib only takes hex key ids; DSSE key ids are free-form hints.
    return hashlib.sha256(keyid.encode("utf-8")).hexdigest()


def verify(case) -> bool:
    envelope = case["envelope"]
    keyid = sslib_keyid(case["keyid"])
    key = SSlibKey.from_dict(keyid, dict(case["key"]))
    payload = b64decode(envelope["payload"])
    message = pae(envelope["payloadType"], payload)
    for signature in envelope["signatures"]:
        sig_hex = binascii.hexlify(b64decode(signature["sig"])).decode("ascii")
        try:
            key.verify_signature(Signature(keyid, sig_hex), message)
            return True
        except VerificationError:
            # Malformed key or signature: a broken test setup, not a "no".
            raise
        except UnverifiedSignatureError:
            continue
    return False


def sign(case):
    key_dict = dict(case["key"])
    key_dict["keyid"] = sslib_keyid(case["keyid"])
    payload = base64.b64decode(case["payload"], validate=True)
    signature = SSlibSigner(key_dict).sign(pae(case["payloadType"], payload))
    return {
        "payload": case["payload"],
        "payloadType": case["payloadType"],
        "signatures": [
            {"keyid": case["keyid"], "sig": base64.b64encode(binascii.unhexlify(signature.signature)).decode("ascii")}
        ],
    }


def main() -> None:
    request = json.load(sys.stdin)
    answer = {
        "verify": [verify(case) for case in request.get("verify", [])],
        "sign": [sign(case) for case in request.get("sign", [])],
    }
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
