"""What the decisions domain tells the domains above it, without importing them."""

from django.dispatch import Signal

#: Sent inside the transaction that recomputed one case, after its decisions are stored,
#: with ``person``, ``facts`` (the CaseFacts decided), ``pathway`` (PATH-1, or ``None``),
#: ``release`` (the earliest release date the handover counted back from, or ``None``) and
#: ``user``. A receiver's writes are part of the same transaction.
case_decided = Signal()

#: Sent by the nightly run inside each chunk's transaction, after the chunk's decisions are
#: stored, with ``as_of``, ``low`` and ``high`` (the chunk's person ids) and ``person_ids``
#: (the cases whose decisions or inputs moved tonight). A receiver's writes are part of the
#: chunk's transaction, so they commit and resume with it.
chunk_decided = Signal()
