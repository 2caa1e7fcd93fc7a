"""The conversion reads a GGUF's header through plain ndarray views of the mapped file rather than
np.memmap slices (core/gguf_conversion._plain_view_reader): the same fields and tensors, byte for byte."""

from __future__ import annotations

import numpy as np

from desktop_app.core.gguf_conversion import check_gguf_file


def test_the_plain_view_reader_reads_what_gguf_reads(tiny_gguf):
    from gguf import GGUFReader

    ours, theirs = check_gguf_file(tiny_gguf), GGUFReader(str(tiny_gguf))
    assert type(ours) is not GGUFReader and isinstance(ours, GGUFReader)
    assert list(ours.fields) == list(theirs.fields) and len(ours.fields) > 10
    for name, field in theirs.fields.items():
        mine = ours.fields[name]
        assert mine.types == field.types and mine.data == field.data, name
        assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(mine.parts, field.parts)), name
    assert [t.name for t in ours.tensors] == [t.name for t in theirs.tensors] and ours.tensors
    for mine, tensor in zip(ours.tensors, theirs.tensors):
        assert mine.tensor_type == tensor.tensor_type and np.array_equal(mine.data, tensor.data), tensor.name
    assert not isinstance(ours.tensors[0].data, np.memmap), "the tensors' slices are plain views"
