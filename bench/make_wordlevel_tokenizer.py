#!/usr/bin/env python3
"""Writes a tokenizer.json with a word-level vocabulary of N tokens ("t0" .. "tN-1", split on
whitespace) into DIR, so that a dummy-weight model of any vocabulary size can be served and
benchmarked by token ids where the real tokenizer cannot be downloaded (the GPU machine has no
network). Uses the Hugging Face `tokenizers` package.

    bench/make_wordlevel_tokenizer.py DIR N"""
import sys

from tokenizers import Tokenizer, models, pre_tokenizers, decoders

directory, n = sys.argv[1], int(sys.argv[2])
vocab = {f"t{i}": i for i in range(n)}
tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="t0"))
tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
tok.save(f"{directory}/tokenizer.json")
print(f"wrote {directory}/tokenizer.json with {n} tokens")
