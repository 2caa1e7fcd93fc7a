"""TokenRecord: what the app knows about one token of a text under one model."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Alternative:
    id: int
    text: str
    prob: float


@dataclass(frozen=True)
class TokenRecord:
    """One token with its probability under the model's own distribution.

    The distribution is the raw softmax of the logits (before temperature, top-k and top-p),
    so records of a sampled answer and of the same answer scored later agree.
    ``text`` is exact display text: a character split over several byte-level tokens
    appears once, on the token that completes it (earlier pieces have ``text == ""``),
    so ``"".join(r.text for r in records)`` is the decoded answer.
    """

    id: int
    text: str
    logprob: float
    rank: int  # 1 = the model's most likely token, over the whole vocabulary
    entropy: float  # nats, of the full next-token distribution
    top: tuple[Alternative, ...] = field(default_factory=tuple)  # sorted by prob, descending
    # the model weights' dtype that made it ("float32", "bfloat16", ...); None: not recorded.
    # Not part of equality: the same figures are the same record.
    precision: str | None = field(default=None, compare=False)

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)

    @property
    def surprisal_bits(self) -> float:
        return -self.logprob / math.log(2)

    @property
    def entropy_bits(self) -> float:
        """The entropy in bits, the unit every view shows it in beside the surprisal (stored in nats)."""
        return self.entropy / math.log(2)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "prob": self.prob,
            "logprob": self.logprob,
            "rank": self.rank,
            "entropy": self.entropy,  # nats, as stored and as files written before entropy_bits read it
            "entropy_bits": self.entropy_bits,  # the unit every text and view says (cli63)
            "top": [asdict(a) for a in self.top],
            "precision": self.precision,
        }

    @classmethod
    def from_json(cls, data: dict) -> "TokenRecord":
        return cls(
            id=int(data["id"]),
            text=data["text"],
            logprob=float(data["logprob"]),
            rank=int(data["rank"]),
            entropy=float(data["entropy"]),
            top=tuple(Alternative(int(a["id"]), a["text"], float(a["prob"])) for a in data.get("top", ())),
            precision=data.get("precision"),
        )


# what a record's JSON figures are in, for a JSON object that carries records ("units"): "entropy" alone had left a
# script to guess nats where every text and view says bits (cli63)
RECORD_UNITS = {"prob": "probability, 0 to 1", "logprob": "natural log of prob", "rank": "1 = the likeliest token",
                "entropy": "nats (kept for scripts that read it)", "entropy_bits": "bits, as every text and view says"}


def joined_text(records) -> str:
    return "".join(r.text for r in records)
