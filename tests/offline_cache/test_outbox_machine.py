"""A Hypothesis state machine over the Outbox: the model is a dict of what the user submitted."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from offline_cache.outbox import Draft, DraftNotFound, Outbox
from offline_cache.remote import PushResult, PushStatus

TERMINAL = "T-MODEL"
VERDICTS = st.sampled_from(
    [
        ("applied", None, "applied"),
        ("duplicate", "applied", "applied"),
        ("duplicate", "rejected", "rejected"),
        ("rejected", None, "rejected"),
        ("needs_review", None, "needs_review"),
        ("key_reuse_mismatch", None, "needs_review"),
    ]
)
PAYLOADS = st.fixed_dictionaries(
    {
        "lines": st.lists(
            st.fixed_dictionaries(
                {
                    "sku": st.sampled_from(["SKU-1", "SKU-2", "ŽIDLE-3"]),
                    "qty": st.integers(1, 5),
                    "location_id": st.sampled_from(["CZ-PRG-01", "PL-WAW-01"]),
                }
            ),
            min_size=1,
            max_size=3,
        ),
        "note": st.text(max_size=20),
        "price": st.one_of(st.integers(-(2**60), 2**60), st.floats(allow_nan=False, allow_infinity=False)),
    }
)


@dataclass
class ModelAction:
    payload_json: str
    sha: str
    state: str


class OutboxMachine(RuleBasedStateMachine):
    drafts = Bundle("drafts")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-model-"))
        self.outbox = Outbox.open(self.dir / "outbox.db", TERMINAL)
        self.actions: dict[str, ModelAction] = {}
        self.submitted: dict[str, str] = {}  # draft_id -> action_id
        self.pruned: dict[str, int] = {}  # install_id -> applied rows pruned from it
        # Submitted drafts whose applied action was pruned: the outbox forgets them with the action.
        self.forgotten: set[str] = set()

    def teardown(self) -> None:
        self.outbox.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @initialize()
    def start(self) -> None:
        assert self.outbox.counts()["pending"] == 0

    @rule(target=drafts, kind=st.sampled_from(["cart", "return"]))
    def open_draft(self, kind: str) -> Draft:
        return self.outbox.open_draft(kind, {"started": True})

    @rule(draft=drafts, payload=PAYLOADS)
    def submit(self, draft: Draft, payload: dict[str, object]) -> None:
        if draft.draft_id in self.forgotten:
            with pytest.raises(DraftNotFound):
                self.outbox.submit(draft, "order.create", payload, "E1001", "online:S-1")
            return
        action = self.outbox.submit(draft, "order.create", payload, "E1001", "online:S-1")
        if draft.draft_id in self.submitted:
            # Submitting again returns the same action, never a second one.
            assert action.action_id == self.submitted[draft.draft_id]
            return
        assert action.action_id == draft.action_id  # the key was the draft's from the start
        assert action.state == "pending"
        self.submitted[draft.draft_id] = action.action_id
        self.actions[action.action_id] = ModelAction(action.payload_json, action.payload_sha256, "pending")

    @rule(payload=PAYLOADS)
    def enqueue(self, payload: dict[str, object]) -> None:
        action = self.outbox.enqueue("audit.event", {"entries": [payload]}, None, "system")
        assert action.action_id not in self.actions
        self.actions[action.action_id] = ModelAction(action.payload_json, action.payload_sha256, "pending")

    @rule(count=st.integers(0, 6), verdicts=st.lists(VERDICTS, min_size=6, max_size=6), lose=st.booleans())
    def push(self, count: int, verdicts: list[tuple[str, str | None, str]], lose: bool) -> None:
        """The server processes a prefix of the batch; maybe the response is lost (nothing recorded)."""
        batch = self.outbox.pending(6)
        install = self.outbox.install_id
        if lose:
            self.outbox.note_attempt([a.action_id for a in batch], "lost")
            return
        done = batch[:count]
        results = []
        for action, (status, original, local) in zip(done, verdicts, strict=False):
            raw = {"action_id": action.action_id, "seq": action.seq, "status": status, "code": "x"}
            results.append(
                PushResult(action.action_id, action.seq, cast(PushStatus, status), "x", 7, original, raw)
            )
            self.actions[action.action_id].state = local
        last = done[-1].seq if done else (batch[0].seq - 1 if batch else self.highest_acked(install))
        summary = self.outbox.record_results(install, results, last)
        assert summary.rewound == 0
        assert not summary.renumbered
        # Recording the same response again changes nothing.
        again = self.outbox.record_results(install, results, last)
        assert again.ignored == len(results)
        assert again.applied == 0

    def highest_acked(self, install: str) -> int:
        acked = [a.seq for a in self.outbox.actions() if a.install_id == install and a.state != "pending"]
        return max(acked, default=0)

    @rule(back=st.integers(1, 5))
    def server_restored(self, back: int) -> None:
        install = self.outbox.install_id
        top = self.highest_acked(install)
        server_last = max(0, top - back)
        for a in self.outbox.actions():
            if a.install_id == install and a.seq > server_last and a.state != "pending":
                self.actions[a.action_id].state = "pending"
        expected = sum(1 for m in self.actions.values() if m.state == "pending") - len(
            self.outbox.pending(10_000)
        )
        rewound, _ = self.outbox.reconcile_server_seq(install, server_last)
        assert rewound == expected

    @rule()
    def fork(self) -> None:
        before = [a.action_id for a in self.outbox.pending(10_000)]
        old = self.outbox.install_id
        new = self.outbox.renumber_for_new_install("fork")
        assert new != old
        after = self.outbox.pending(10_000)
        assert [a.action_id for a in after] == before  # same keys, same order
        assert [a.seq for a in after] == list(range(1, len(after) + 1))

    @rule()
    def reopen(self) -> None:
        self.outbox.close()
        self.outbox = Outbox.open(self.dir / "outbox.db", TERMINAL)

    @rule()
    def prune(self) -> None:
        install = self.outbox.install_id
        applied = self.outbox.actions(("applied",))
        self.outbox.prune_applied(older_than_s=-1)
        for a in applied:
            del self.actions[a.action_id]
            self.forgotten.update(d for d, action_id in self.submitted.items() if action_id == a.action_id)
            if a.install_id == install:
                self.pruned[install] = self.pruned.get(install, 0) + 1

    @rule(draft=drafts)
    def reopened_draft_keeps_key(self, draft: Draft) -> None:
        found = self.outbox.draft(draft.draft_id)
        if draft.draft_id in self.forgotten:
            assert found is None
            return
        assert found is not None
        assert found.action_id == draft.action_id

    @invariant()
    def matches_model(self) -> None:
        stored = {a.action_id: a for a in self.outbox.actions()}
        assert set(stored) == set(self.actions)  # nothing lost, nothing invented
        for action_id, model in self.actions.items():
            row = stored[action_id]
            assert row.payload_json == model.payload_json  # payloads are never rewritten
            assert row.payload_sha256 == model.sha
            assert hashlib.sha256(row.payload_json.encode()).hexdigest() == row.payload_sha256
            assert row.state == model.state

    @invariant()
    def seq_gap_free(self) -> None:
        identity = self.outbox.identity()
        rows = self.outbox.actions()
        current = sorted(a.seq for a in rows if a.install_id == identity.install_id)
        assert len(current) == len(set(current))
        assert len(current) + self.pruned.get(identity.install_id, 0) == identity.next_seq - 1
        assert all(1 <= s < identity.next_seq for s in current)
        pending = [a for a in rows if a.state == "pending"]
        assert all(a.install_id == identity.install_id for a in pending)
        seqs = sorted(a.seq for a in pending)
        # The pending rows are always the tail of the sequence: the server processes in order.
        assert seqs == list(range(identity.next_seq - len(seqs), identity.next_seq))

    @invariant()
    def audit_chain_holds(self) -> None:
        assert self.outbox.verify_audit_chain() is None


OutboxMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestOutboxMachine = OutboxMachine.TestCase
