"""A tiny random causal LM and tokenizer built in code, for training round trips in tests:
no download, about a hundred thousand parameters, one optimiser step in well under a second
on a CPU.

Needs the ``train`` extra (torch, transformers, tokenizers, trl, datasets). Typical use::

    from tiny import require_train_extra, tiny_model, tiny_tokenizer, trl_chat_template

    require_train_extra()  # at module level, before anything imports torch
    template = trl_chat_template("qwen2_5")
    tokenizer = tiny_tokenizer(texts, chat_template=template)
    model = tiny_model(tokenizer)
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "TEMPLATE_FILES",
    "TRAIN_MODULES",
    "require_train_extra",
    "tiny_model",
    "tiny_tokenizer",
    "trl_chat_template",
]

TRAIN_MODULES = ("torch", "transformers", "trl", "datasets", "tokenizers")

# Nothing here downloads: say so to the Hugging Face libraries, which would otherwise try
# the hub for a model or config id (and hang without a network), and keep their progress
# bars out of the test output.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

TEMPLATE_FILES = {
    # the chat templates TRL ships (trl/chat_templates/*.jinja) under the names the tests use
    "qwen2_5": "qwen2_5.jinja",
    "qwen3": "qwen3.jinja",
    "llama3": "llama3.jinja",
    "llama3_1": "llama3_1.jinja",
    "gpt-oss": "gptoss.jinja",
    "deepseek-v3": "deepseekv3.jinja",
}

# Special-looking tokens of the templates above (<|im_start|>, DeepSeek's fullwidth-bar
# <\uff5cUser\uff5c>, <tool_call>, ...): single tokens in the vocabulary, as in the real
# tokenizers, so that rendered chats stay short.
_BAR = "\uff5c"
_SPECIAL = re.compile(
    r"<\|[^|<>\s]{1,40}\|>"
    rf"|<{_BAR}[^{_BAR}<>]{{1,40}}{_BAR}>"
    r"|</?(?:tool_call|tool_response|tools|think)>"
)

BOS, EOS, PAD, UNK = "<|begin_of_text|>", "<|im_end|>", "<|pad|>", "<|unk|>"


def require_train_extra(modules: Iterable[str] = TRAIN_MODULES) -> None:
    """Skip the calling test module when the ``train`` extra is missing, with the reason;
    under CI (``CI=true``: hosted CI and ``.ci/run`` set it) fail instead, so that a broken
    install never turns the training round trip into a silent skip."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    why = f"the `train` extra is not installed (no {', '.join(missing)}): pip install -e '.[train]'"
    if os.environ.get("CI", "").lower() in {"true", "1"}:
        pytest.fail(f"{why}; under CI the training tests must run, not skip", pytrace=False)
    pytest.skip(why, allow_module_level=True)


def trl_chat_template(name: str) -> str:
    """The text of one of the chat templates installed with TRL (see :data:`TEMPLATE_FILES`)."""
    import trl

    return (Path(trl.__file__).parent / "chat_templates" / TEMPLATE_FILES[name]).read_text(
        encoding="utf-8"
    )


def tiny_tokenizer(
    texts: Iterable[str], *, chat_template: str | None = None, vocab_size: int = 2000
) -> Any:
    """A byte-level BPE tokenizer trained on ``texts`` (any text encodes: unseen characters
    fall back to bytes), wrapped as a ``PreTrainedTokenizerFast`` with ``chat_template``.
    Tokens that look special in ``texts`` or the template are added as single tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = list(texts)
    found = set(_SPECIAL.findall(chat_template or ""))
    for text in corpus:
        found.update(_SPECIAL.findall(text))
    special = [BOS, EOS, PAD, UNK, *sorted(found - {BOS, EOS, PAD, UNK})]
    tok = Tokenizer(models.BPE(unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=BOS, eos_token=EOS, pad_token=PAD, unk_token=UNK
    )
    if chat_template is not None:
        wrapped.chat_template = chat_template
    return wrapped


def tiny_model(tokenizer: Any, *, seed: int = 0, layers: int = 2, width: int = 32) -> Any:
    """A randomly initialised 2-layer Qwen2 causal LM sized to ``tokenizer``'s vocabulary."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=width,
        intermediate_size=2 * width,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    return Qwen2ForCausalLM(config)
