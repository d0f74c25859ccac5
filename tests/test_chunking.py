from retrievers.chunking import chunk_blocks
from retrievers.loaders import Block


def test_chunks_keep_offsets_sections_and_pages():
    blocks = [
        Block("Parol Tablet", True), Block("Giriş metni burada. İkinci cümle.", False, 1),
        Block("Yan etkiler", True), Block("Baş ağrısı olabilir. Bulantı da olabilir.", False, 1),
        Block("Saklama koşulları şöyledir.", False, 2),
    ]
    text, chunks = chunk_blocks(blocks, size=200, overlap=0)
    assert [c.section for c in chunks] == ["Parol Tablet", "Yan etkiler", "Yan etkiler"]
    assert [c.page for c in chunks] == [1, 1, 2]  # a chunk never crosses a page
    for chunk in chunks:
        assert text[chunk.start:chunk.end] == chunk.text
        assert chunk.title == "Parol Tablet"
    assert chunks[1].index_text.startswith("Parol Tablet — Yan etkiler\n")


def test_chunks_respect_size_on_sentence_boundaries_with_overlap():
    sentences = [f"Bu {n}. cümledir ve biraz uzundur." for n in range(1, 30)]
    text, chunks = chunk_blocks([Block(" ".join(sentences), False)], size=120, overlap=1)
    assert len(chunks) > 3
    for chunk in chunks:
        assert len(chunk.text) <= 120
        assert chunk.text.endswith(".")
    # overlap: each chunk starts with the last sentence of the one before
    for before, after in zip(chunks, chunks[1:]):
        assert before.start < after.start < before.end
        assert text[after.start:before.end] == before.text[after.start - before.start:]


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces():
    long = "kelime " * 100
    text, chunks = chunk_blocks([Block(long.strip(), False)], size=100, overlap=0)
    assert all(len(c.text) <= 100 for c in chunks)
    assert " ".join(c.text for c in chunks) == long.strip()
