"""What the decisions domain tells the domains above it, without importing them."""

from django.dispatch import Signal

#: Sent inside the transaction that recomputed one case, after its decisions are stored,
#: with ``person``, ``facts`` (the CaseFacts decided), ``pathway`` (PATH-1, or ``None``),
#: ``release`` (the earliest release date the handover counted back from, or ``None``) and
#: ``user``. A receiver's writes are part of the same transaction.
case_decided = Signal()

#: Sent by the nightly run inside each chunk's transaction, after the chunk's decisions are
#: stored, with ``as_of``, ``low`` and ``high`` (the chunk's person ids), ``person_ids``
#: (the cases whose decisions or inputs moved tonight) and ``facts`` (person id → the digest
#: of the rows the night decided from, and the CaseFacts assembled from them, for the moved
#: cases in custody: current where the case's head still holds that digest, as a user's
#: change made since puts its own there). A receiver's writes are part of the chunk's
#: transaction, so they commit and resume with it.
chunk_decided = Signal()
