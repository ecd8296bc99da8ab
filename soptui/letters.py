"""The letter register: the agenda book of incoming letters and the numbering
of outgoing ones.

Numbers come from a counter row per (direction, classification, year) that is
locked while a number is taken, in the same transaction as the letter row:
with many clerks at once every number is unique and none is skipped. A voided
number stays in the book with its reason and is never given out again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from soptui import audit
from soptui.cases import parse_urgency
from soptui.db.engine import Database
from soptui.db.models import Case, Letter, LetterCounter, NumberPattern, Setting
from soptui.errors import InputError, NotFoundError, RuleError
from soptui.identity import Actor
from soptui.validate import NAME_MAX, NOTE_MAX, SHORT_MAX, TITLE_MAX, clean_text, guarded
from soptui.views import LetterView

OFFICE_TZ = ZoneInfo("Asia/Jakarta")
DEFAULT_PATTERN = "{klasifikasi}/{nomor}/{unit}"
UNIT_KEY = "letter_unit"
DEFAULT_UNIT = "DISKOPUKM"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PLACEHOLDERS = {"klasifikasi", "nomor", "unit", "bulan_romawi", "bulan", "tahun"}
_KLASIFIKASI = re.compile(r"^\d{3}(\.\d{1,3})*$")


def _view(row: Letter) -> LetterView:
    return LetterView(
        row.id,
        row.direction,
        row.year,
        row.klasifikasi,
        row.seq,
        row.number,
        row.party,
        row.letter_date,
        row.received_date,
        row.sifat,
        row.perihal,
        row.case_id,
        row.source,
        row.voided_at is not None,
        row.void_note,
        row.created_at,
    )


# The agenda book's columns (key, heading message key), as `letter list` and
# the agenda report print them.
def check_pattern(pattern: str) -> str:
    text = clean_text(pattern, "Pola", max_len=200, required=True) or ""
    try:
        parts = list(Formatter().parse(text))
    except ValueError:  # an unmatched brace
        parts = [("", "?", "", None)]
    fields = {field for _, field, _, _ in parts if field is not None}
    # plain {name} only: a format spec or conversion could raise when numbering
    decorated = any(spec or conv for _, _, spec, conv in parts)
    if "nomor" not in fields or not fields <= PLACEHOLDERS or decorated:
        raise InputError("err.bad_pattern", value=pattern, names=", ".join(sorted(PLACEHOLDERS)))
    return text


def format_number(pattern: str, *, klasifikasi: str, seq: int, unit: str, on: date) -> str:
    return pattern.format(
        klasifikasi=klasifikasi,
        nomor=seq,
        unit=unit,
        bulan_romawi=ROMAN[on.month - 1],
        bulan=f"{on.month:02d}",
        tahun=on.year,
    )


def check_klasifikasi(value: str) -> str:
    text = (clean_text(value, "Klasifikasi", max_len=32, required=True) or "").strip()
    if not _KLASIFIKASI.match(text):
        raise InputError("err.bad_klasifikasi", value=value)
    return text


@guarded
class LetterService:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def _today(self) -> date:
        return self.clock().astimezone(OFFICE_TZ).date()

    def _next_seq(self, s: Session, direction: str, klasifikasi: str, year: int) -> int:
        """Take the next free sequence (skipping numbers recorded from elsewhere)."""
        values = {"direction": direction, "klasifikasi": klasifikasi, "year": year, "last_seq": 0}
        if self.db.backend == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        s.execute(insert(LetterCounter).values(**values).on_conflict_do_nothing())
        counter = s.execute(
            select(LetterCounter)
            .where(
                LetterCounter.direction == direction,
                LetterCounter.klasifikasi == klasifikasi,
                LetterCounter.year == year,
            )
            .with_for_update()
        ).scalar_one()
        taken = set(
            s.execute(
                select(Letter.seq).where(
                    Letter.direction == direction,
                    Letter.klasifikasi == klasifikasi,
                    Letter.year == year,
                    Letter.seq > counter.last_seq,
                )
            ).scalars()
        )
        seq = counter.last_seq + 1
        while seq in taken:
            seq += 1
        counter.last_seq = seq
        return seq

    @staticmethod
    def _store(
        s: Session, row: Letter, kind: str, actor: Actor, now: datetime, data: dict[str, Any]
    ) -> LetterView:
        """Add the letter and its audit event in the caller's transaction."""
        s.add(row)
        s.flush()
        audit.append(
            s,
            at=now,
            kind=kind,
            case_id=row.case_id,
            actor_id=actor.id,
            data={"letter": row.id, **data},
        )
        return _view(row)

    def register_incoming(
        self,
        actor: Actor,
        *,
        sender: str,
        number: str,
        perihal: str,
        letter_date: date | None = None,
        received_date: date | None = None,
        sifat: str | None = None,
    ) -> LetterView:
        """Log a surat masuk in the agenda; the agenda number is automatic."""
        clean_sender = clean_text(sender, "Pengirim", max_len=NAME_MAX, required=True)
        clean_number = clean_text(number, "No. surat", max_len=SHORT_MAX, required=True)
        clean_perihal = clean_text(perihal, "Perihal", max_len=TITLE_MAX, required=True)
        received = received_date or self._today()
        if letter_date is not None and letter_date > received:
            raise InputError("err.letter_after_received")
        now = self.clock()
        with self.db.write() as s:
            seq = self._next_seq(s, "in", "", received.year)
            row = Letter(
                direction="in",
                year=received.year,
                klasifikasi="",
                seq=seq,
                number=clean_number or "",
                party=clean_sender,
                letter_date=letter_date,
                received_date=received,
                sifat=parse_urgency(sifat),
                perihal=clean_perihal or "",
                source="issued",
                created_at=now,
                created_by=actor.id,
            )
            return self._store(
                s,
                row,
                "letter_in",
                actor,
                now,
                {"agenda": seq, "year": received.year, "number": row.number},
            )

    def issue_number(
        self,
        actor: Actor,
        *,
        klasifikasi: str,
        perihal: str,
        recipient: str | None = None,
        case_id: int | None = None,
    ) -> LetterView:
        """Give an outgoing letter its number."""
        code = check_klasifikasi(klasifikasi)
        clean_perihal = clean_text(perihal, "Perihal", max_len=TITLE_MAX, required=True)
        clean_recipient = clean_text(recipient, "Tujuan", max_len=NAME_MAX)
        today = self._today()
        now = self.clock()
        with self.db.write() as s:
            if case_id is not None and s.get(Case, case_id) is None:
                raise NotFoundError("err.case_not_found", id=case_id)
            seq = self._next_seq(s, "out", code, today.year)
            pattern_row = s.get(NumberPattern, code)
            unit_row = s.get(Setting, UNIT_KEY)
            number = format_number(
                pattern_row.pattern if pattern_row else DEFAULT_PATTERN,
                klasifikasi=code,
                seq=seq,
                unit=unit_row.value if unit_row else DEFAULT_UNIT,
                on=today,
            )
            row = Letter(
                direction="out",
                year=today.year,
                klasifikasi=code,
                seq=seq,
                number=number,
                party=clean_recipient,
                letter_date=today,
                sifat="biasa",
                perihal=clean_perihal or "",
                case_id=case_id,
                source="issued",
                created_at=now,
                created_by=actor.id,
            )
            return self._store(
                s,
                row,
                "letter_number",
                actor,
                now,
                {"number": number, "klasifikasi": code, "seq": seq},
            )

    def record_external(
        self, actor: Actor, *, klasifikasi: str, seq: int, year: int, number: str, perihal: str
    ) -> LetterView:
        """Record a number issued elsewhere (by hand, another system) so that
        the counter never gives it out again."""
        code = check_klasifikasi(klasifikasi)
        clean_number = clean_text(number, "Nomor", max_len=SHORT_MAX, required=True)
        clean_perihal = clean_text(perihal, "Perihal", max_len=TITLE_MAX, required=True)
        if seq < 1:
            raise InputError("err.bad_seq", value=seq)
        now = self.clock()
        with self.db.write() as s:
            exists = s.execute(
                select(Letter.number).where(
                    Letter.direction == "out",
                    Letter.klasifikasi == code,
                    Letter.year == year,
                    Letter.seq == seq,
                )
            ).scalar_one_or_none()
            if exists is not None:
                raise RuleError("err.number_taken", number=exists)
            row = Letter(
                direction="out",
                year=year,
                klasifikasi=code,
                seq=seq,
                number=clean_number or "",
                sifat="biasa",
                perihal=clean_perihal or "",
                source="external",
                created_at=now,
                created_by=actor.id,
            )
            return self._store(
                s,
                row,
                "letter_external",
                actor,
                now,
                {"number": row.number, "klasifikasi": code, "seq": seq},
            )

    def void(self, actor: Actor, number: str, *, note: str | None) -> LetterView:
        """Void an outgoing number: it stays in the book with the reason."""
        reason = clean_text(note, "Catatan", max_len=NOTE_MAX)
        if reason is None:
            raise InputError("err.note_required")
        now = self.clock()
        with self.db.write() as s:
            rows = (
                s.execute(
                    select(Letter)
                    .where(Letter.direction == "out", Letter.number == number.strip())
                    .with_for_update()
                )
                .scalars()
                .all()
            )
            if not rows:
                raise NotFoundError("err.letter_not_found", number=number)
            row = rows[-1]
            if row.voided_at is not None:
                raise RuleError("err.letter_voided", number=row.number)
            row.voided_at = now
            row.void_note = reason
            audit.append(
                s,
                at=now,
                kind="letter_void",
                case_id=row.case_id,
                actor_id=actor.id,
                note=reason,
                data={"letter": row.id, "number": row.number},
            )
            return _view(row)

    def set_pattern(self, actor: Actor, klasifikasi: str, pattern: str) -> None:
        code = check_klasifikasi(klasifikasi)
        text = check_pattern(pattern)
        with self.db.write() as s:
            s.merge(NumberPattern(klasifikasi=code, pattern=text))
            audit.append(
                s,
                at=self.clock(),
                kind="number_pattern",
                actor_id=actor.id,
                data={"klasifikasi": code, "pattern": text},
            )

    def get(self, letter_id: int) -> LetterView:
        with self.db.read() as s:
            row = s.get(Letter, letter_id)
            if row is None:
                raise NotFoundError("err.letter_not_found", number=str(letter_id))
            return _view(row)

    def list(
        self,
        *,
        year: int | None = None,
        direction: str | None = None,
        start: date | None = None,
        end: date | None = None,
        case_id: int | None = None,
    ) -> list[LetterView]:
        """The agenda book in its order: by year, direction, class and number."""
        query = select(Letter)
        if year is not None:
            query = query.where(Letter.year == year)
        if direction is not None:
            query = query.where(Letter.direction == direction)
        if case_id is not None:
            query = query.where(Letter.case_id == case_id)
        with self.db.read() as s:
            rows = [
                _view(r)
                for r in s.execute(
                    query.order_by(Letter.year, Letter.direction, Letter.klasifikasi, Letter.seq)
                ).scalars()
            ]
        if start is not None or end is not None:
            rows = [r for r in rows if _in_range(r.received_date or r.letter_date, start, end)]
        return rows


def _in_range(day: date | None, start: date | None, end: date | None) -> bool:
    if day is None:
        return False
    return (start is None or day >= start) and (end is None or day <= end)
