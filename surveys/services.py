"""Every write of the telephone poll. No request, no messages: views, tasks and
management commands call these."""

from __future__ import annotations

import datetime
import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.models import Agency
from workflow import jobs
from workflow.audit import audit_record
from workflow.models import JobStatus
from workflow.transitions import Transition, Workflow

from . import importers, staging, statistics
from .enums import (
    Disposition,
    ImportKind,
    ImportStatus,
    PollStatus,
    ResponseSource,
)
from .fieldwork import fieldwork_window_problem
from .models import (
    CallAttempt,
    Household,
    Poll,
    PollCandidate,
    PollImport,
    PollTallyRun,
    Response,
)


def setting(name: str, default):
    return getattr(settings, name, default)


LEASE_MINUTES = 15  # how long a household stays in one interviewer's hands
NON_CONTACT_RETRY_MINUTES = 120  # a non-contact is tried again after this
MAX_ATTEMPTS = 5  # after this many calls a non-contact is final
STALE_SECONDS = 60  # a running tally without a heartbeat for this long is dead
# A running tally beats at least this often; silent for longer, its page says it has
# stalled (before STALE_SECONDS lets a new run take over).
HEARTBEAT_SECONDS = 10


class PollError(ValidationError):
    """A write that the poll's rules do not allow; the message is for the user."""


class TallyAlreadyRunning(Exception):
    def __init__(self, run: PollTallyRun):
        super().__init__(f"Tally run {run.pk} is {run.status}.")
        self.run = run


# --- households and phone numbers ------------------------------------------------


def phone_hash(number: str) -> str:
    """Keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY) of the digits of a
    phone number; the same number always gives the same hash, the hash never the number."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 11 and digits.startswith("852"):
        digits = digits[3:]
    if not digits:
        return ""
    return salted_hmac("surveys.household.phone", digits, algorithm="sha256").hexdigest()


def _poll_refusal(poll, from_state: str, to_state: str) -> str:
    return _("A poll cannot go from “%(a)s” to “%(b)s”.") % {"a": from_state, "b": to_state}


# The poll's transition table (workflow.transitions): the secretariat opens and closes
# fieldwork (poll_set_status) and publishes a finished tally (poll_publish; publishing
# a newer tally of a published poll keeps it published).
POLL_WORKFLOW = Workflow(
    model=Poll,
    states=PollStatus,
    field="status",
    initial=(PollStatus.DRAFT,),
    error_class=PollError,
    refusal=_poll_refusal,
    transitions=[
        Transition(
            "open_fieldwork",
            (PollStatus.DRAFT, PollStatus.CLOSED),
            PollStatus.FIELDWORK,
            _l("Open fieldwork"),
            permission="surveys.manage_poll",
            audit_action="poll.status",
        ),
        Transition(
            "close_fieldwork",
            (PollStatus.FIELDWORK,),
            PollStatus.CLOSED,
            _l("Close fieldwork"),
            permission="surveys.manage_poll",
            audit_action="poll.status",
        ),
        Transition(
            "publish",
            (PollStatus.CLOSED, PollStatus.PUBLISHED),
            PollStatus.PUBLISHED,
            _l("Publish these results"),
            permission="surveys.manage_poll",
            audit_action="poll.publish",
        ),
    ],
)
# The changes poll_set_status makes; publishing goes through poll_publish.
FIELDWORK_ACTIONS = ("open_fieldwork", "close_fieldwork")


def poll_transition(
    *, poll: Poll, to_state: str, actor, update: dict | None = None, data: dict | None = None
) -> Poll:
    """The one writer of a poll's status: POLL_WORKFLOW.apply (row lock, the table,
    update_fields, the audit entry)."""
    return POLL_WORKFLOW.apply(poll, to_state, actor=actor, update=update, data=data)


@transaction.atomic
def poll_set_status(*, poll: Poll, status: str, actor) -> Poll:
    """Open or close the fieldwork."""
    step = POLL_WORKFLOW.find(poll.status, status)
    if step is None or step.name not in FIELDWORK_ACTIONS:
        raise PollError(_poll_refusal(poll, poll.status, status))
    poll_transition(poll=poll, to_state=status, actor=actor)
    return poll


def _due_filter(now):
    return Q(disposition="") | Q(
        disposition__in=[Disposition.CALLBACK, Disposition.NON_CONTACT],
        callback_at__lte=now,
        attempts__lt=MAX_ATTEMPTS,
    )


def _free_filter(now):
    return Q(leased_until__isnull=True) | Q(leased_until__lte=now)


def household_lease_next(*, poll: Poll, interviewer) -> Household | None:
    """Hand the interviewer the next household due: the one already in hand, else the
    earliest callback that is due, else the next household never called. Row locks with
    SKIP LOCKED (PostgreSQL) plus a conditional UPDATE (every database) make sure two
    interviewers never get the same household."""
    if poll.status != PollStatus.FIELDWORK:
        raise PollError(_("This poll is not in fieldwork."))
    problem = fieldwork_window_problem(poll)
    if problem:
        raise PollError(problem)
    now = timezone.now()
    held = Household.objects.filter(poll=poll, leased_by=interviewer, leased_until__gt=now).first()
    if held is not None:
        return held
    until = now + datetime.timedelta(minutes=setting("SURVEYS_LEASE_MINUTES", LEASE_MINUTES))
    queue = (
        Household.objects.filter(poll=poll)
        .filter(_due_filter(now))
        .filter(_free_filter(now))
        .order_by(F("callback_at").asc(nulls_last=True), "id")
    )
    for _attempt in range(10):
        with transaction.atomic():
            candidate = queue.select_for_update(skip_locked=True).only("id").first()
            if candidate is None:
                return None
            taken = (
                Household.objects.filter(pk=candidate.pk)
                .filter(_free_filter(now))
                .update(leased_by=interviewer, leased_until=until)
            )
            if taken:
                household = Household.objects.select_related("stratum").get(pk=candidate.pk)
                audit_record(
                    actor=interviewer,
                    action="poll.household.lease",
                    obj=household,
                    to_state="leased",
                )
                return household
    return None


@transaction.atomic
def household_release(*, household: Household, interviewer) -> None:
    released = Household.objects.filter(pk=household.pk, leased_by=interviewer).update(
        leased_by=None, leased_until=None
    )
    if released:
        audit_record(
            actor=interviewer,
            action="poll.household.release",
            obj=household,
            from_state="leased",
        )


@transaction.atomic
def call_record(
    *,
    household: Household,
    interviewer,
    disposition: str,
    candidate: PollCandidate | None = None,
    suggestion: str = "",
    callback_at: datetime.datetime | None = None,
) -> CallAttempt:
    """Record one call made by the interviewer holding the household."""
    now = timezone.now()
    household = Household.objects.select_for_update().select_related("poll").get(pk=household.pk)
    poll = household.poll
    if household.leased_by_id != interviewer.pk or not (
        household.leased_until and household.leased_until > now
    ):
        raise PollError(_("This household is no longer in your hands. Open the next one."))
    if poll.status != PollStatus.FIELDWORK:
        raise PollError(_("This poll is not in fieldwork."))
    problem = fieldwork_window_problem(poll, now=now)
    if problem:
        raise PollError(problem)
    disposition = Disposition(disposition)
    if disposition == Disposition.COMPLETE and candidate is None:
        raise PollError(_("A complete interview needs a vote."))
    if candidate is not None and disposition != Disposition.COMPLETE:
        raise PollError(_("Only a complete interview carries a vote."))
    if candidate is not None and candidate.poll_id != poll.pk:
        raise PollError(_("That department is not on this poll's list of candidates."))
    if disposition == Disposition.CALLBACK and (callback_at is None or callback_at <= now):
        raise PollError(_("A callback needs a time in the future."))
    if Response.objects.filter(household=household).exists():
        raise PollError(_("This household has already been interviewed."))

    attempts = household.attempts + 1
    if disposition == Disposition.NON_CONTACT:
        callback_at = now + datetime.timedelta(
            minutes=setting("SURVEYS_NON_CONTACT_RETRY_MINUTES", NON_CONTACT_RETRY_MINUTES)
        )
    elif disposition != Disposition.CALLBACK:
        callback_at = None
    call = CallAttempt.objects.create(
        household=household,
        interviewer=interviewer,
        disposition=disposition,
        callback_at=callback_at if disposition == Disposition.CALLBACK else None,
    )
    old = household.disposition
    household.disposition = disposition
    household.attempts = attempts
    household.callback_at = callback_at
    household.leased_by = None
    household.leased_until = None
    household.save(
        update_fields=["disposition", "attempts", "callback_at", "leased_by", "leased_until"]
    )
    if disposition in (Disposition.COMPLETE, Disposition.PARTIAL):
        Response.objects.create(
            poll=poll,
            household=household,
            stratum_id=household.stratum_id,
            disposition=disposition,
            candidate=candidate,
            suggestion=(suggestion or "").strip()[: importers.SUGGESTION_MAX_CHARS],
            interviewer=interviewer,
            source=ResponseSource.INTERVIEWER,
        )
    audit_record(
        actor=interviewer,
        action="poll.call",
        obj=household,
        from_state=old,
        to_state=disposition,
        data={"callback_at": callback_at.isoformat() if callback_at else None},
    )
    return call


# --- imports -------------------------------------------------------------------------


def content_sha256(content) -> str:
    """The SHA-256 of bytes or of a file (read a megabyte at a time)."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in iter(lambda: content.read(1024 * 1024), b""):
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def _upload_file(upload):
    """The seekable binary file behind an upload (Django's UploadedFile keeps it in
    .file: a temporary file on disk past FILE_UPLOAD_MAX_MEMORY_SIZE)."""
    return getattr(upload, "file", upload)


def import_upload(
    *, poll: Poll, kind: str, filename: str, actor, content=None, upload=None, language=""
):
    """Store an uploaded file (`upload`, a file streamed to disk by Django, or `content`
    bytes) in the media storage, a chunk at a time, and read its header (its first rows
    only: the background job reads the rest). Returns (PollImport, already_imported): a
    file whose content was already imported for this poll is not stored again."""
    from django.core.files.base import ContentFile

    upload = upload if upload is not None else ContentFile(content or b"", name=filename)
    size = upload.size
    if size > importers.import_max_bytes():
        raise importers.ImportFileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": round(size / 1024 / 1024, 1),
                "limit": round(importers.import_max_bytes() / 1024 / 1024, 1),
            }
        )
    raw = _upload_file(upload)
    digest = content_sha256(raw)
    done = PollImport.objects.filter(
        poll=poll, kind=kind, sha256=digest, status=ImportStatus.IMPORTED
    ).first()
    if done is not None:
        return done, True
    header = importers.read_header(raw, filename)
    raw.seek(0)
    with transaction.atomic():
        imp = PollImport(
            poll=poll,
            kind=kind,
            filename=filename[:255],
            sha256=digest,
            file_format=header.file_format,
            encoding=header.encoding,
            headers=header.headers,
            mapping=importers.guess_mapping(kind, header.headers),
            uploaded_by=actor,
            language=language or "",
        )
        imp.file.save(f"{digest[:16]}.{header.file_format}", upload, save=False)
        imp.save()
        audit_record(
            actor=actor,
            action="poll.import.upload",
            obj=imp,
            to_state=ImportStatus.UPLOADED,
            data={"sha256": digest, "kind": kind, "size": size},
        )
    return imp, False


def _row_values(row: list[str], index: dict[str, int], mapping: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, column in mapping.items():
        i = index.get(column)
        out[name] = row[i].strip() if i is not None and i < len(row) else ""
    return out


def _err(errors, row_number, column, value, message, params=None):
    """One row error. Validation runs with English active, so `msgid` is the source text
    and the report can be shown in each reader's language (importers.row_error_text)."""
    params = params or {}
    errors.append(
        {
            "row": row_number,
            "column": column,
            "value": value,
            "msgid": str(message),
            "params": params,
            "message": str(message) % params if params else str(message),
        }
    )


class _SampleCheck:
    """Checks sampled households one row at a time; remembers what it has seen (ids and
    telephone hashes) so duplicates within the file are found however long it is."""

    def __init__(self, poll, headers, mapping):
        self.poll, self.mapping = poll, mapping
        self.index = {h: i for i, h in enumerate(headers)}
        self.errors = []
        self.strata = {s.code: s for s in poll.strata.all()}
        self.known = set(Household.objects.filter(poll=poll).values_list("ref", flat=True))
        self.known_phones = set(
            Household.objects.filter(poll=poll)
            .exclude(phone_hash="")
            .values_list("phone_hash", flat=True)
        )
        self.seen, self.seen_phones = {}, {}

    def check(self, number, row):
        """The Household to create for this row, or None (the row's errors recorded)."""
        errors = self.errors
        v = _row_values(row, self.index, self.mapping)
        ref, code = v.get("household_id", ""), v.get("stratum", "")
        ok = True
        if not ref:
            _err(errors, number, "household_id", ref, _("Blank household id."))
            ok = False
        elif ref in self.seen:
            _err(
                errors,
                number,
                "household_id",
                ref,
                _("Household listed twice (first on row %(row)s)."),
                {"row": self.seen[ref]},
            )
            ok = False
        elif ref in self.known:
            _err(errors, number, "household_id", ref, _("Household already in the sample."))
            ok = False
        stratum = None
        if self.strata:
            if code not in self.strata:
                _err(errors, number, "stratum", code, _("Unknown stratum code."))
                ok = False
            else:
                stratum = self.strata[code]
        digest = phone_hash(v.get("phone", ""))
        if digest and (digest in self.seen_phones or digest in self.known_phones):
            _err(
                errors,
                number,
                "phone",
                "",
                _("The same telephone number is already in the sample."),
            )
            ok = False
        if not ok:
            return None
        self.seen[ref] = number
        if digest:
            self.seen_phones[digest] = number
        return Household(poll=self.poll, ref=ref, stratum=stratum, phone_hash=digest)

    def write(self, imp, batch):
        Household.objects.bulk_create(batch, batch_size=IMPORT_BATCH)


class _ResponsesParse:
    """Checks what each row of a responses file says by itself (the household checks are
    set-based, in surveys.staging) and turns it into a staging row. Lookups of the few
    distinct spellings (dispositions, agency codes) are cached."""

    def __init__(self, poll, headers, mapping):
        self.poll, self.mapping = poll, mapping
        self.index = {h: i for i, h in enumerate(headers)}
        self.errors = []
        self.candidates = {c.agency.code: c.pk for c in poll.candidates.select_related("agency")}
        self.existing_codes = set(Agency.objects.values_list("code", flat=True))
        self.tz = poll.edition.tzinfo
        self.verdicts: dict[tuple[str, str], tuple] = {}
        self.codes: dict[str, str] = {}
        self.normalised: dict[str, str] = {}  # code as written -> as read (NFKC)
        names = ("household_id", "disposition", "agency_code", "suggestion", "callback_at")
        # the column index of each field, -1 when the file does not have it
        self.at = tuple(self.index.get(mapping.get(name, ""), -1) for name in names)

    def _code(self, raw: str) -> str:
        code = self.codes.get(raw)
        if code is None:
            code = importers.normalise_code(raw)
            if code != raw.strip().upper():
                self.normalised[raw] = code
            self.codes[raw] = code
        return code

    def _verdict(self, raw_disposition: str, raw_code: str):
        """What a (disposition, agency code) pair says, whatever the row: (disposition,
        candidate id, [(column, value, message)]). Files repeat a few pairs a million
        times, so each is judged once."""
        problems = []
        code = self._code(raw_code)
        disposition = importers.parse_disposition(raw_disposition)
        if not raw_disposition:
            problems.append(("disposition", raw_disposition, _("Blank disposition.")))
        elif disposition is None:
            problems.append(("disposition", raw_disposition, _("Invalid disposition.")))
        candidate = None
        if code:
            if code in self.candidates:
                candidate = self.candidates[code]
            elif code in self.existing_codes:
                problems.append(
                    ("agency_code", code, _("This agency is not on the poll's list of candidates."))
                )
            else:
                problems.append(("agency_code", code, _("Unknown agency code.")))
        if disposition == Disposition.COMPLETE and not code:
            problems.append(("agency_code", code, _("A complete interview needs a vote.")))
        if disposition and disposition != Disposition.COMPLETE and code:
            problems.append(("agency_code", code, _("Only a complete interview carries a vote.")))
        return disposition, candidate, problems

    def check(self, number, row):
        """The staging row (rownum, ref, disposition, candidate id, suggestion,
        callback, bad) for this row; its own errors are recorded."""
        width = len(row)
        i_ref, i_disp, i_code, i_sugg, i_cb = self.at
        ref = row[i_ref] if -1 < i_ref < width else ""
        raw_disposition = row[i_disp] if -1 < i_disp < width else ""
        raw_code = row[i_code] if -1 < i_code < width else ""
        suggestion = row[i_sugg] if -1 < i_sugg < width else ""
        raw_callback = row[i_cb] if -1 < i_cb < width else ""
        key = (raw_disposition, raw_code)
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts[key] = self._verdict(raw_disposition, raw_code)
        disposition, candidate, problems = verdict
        ok = not problems
        errors = self.errors
        for column, value, message in problems:
            _err(errors, number, column, value, message)
        callback_at = None
        if raw_callback:
            callback_at = importers.parse_datetime(raw_callback, self.tz)
            if callback_at is None:
                _err(
                    errors,
                    number,
                    "callback_at",
                    raw_callback,
                    _("Not a date and time (YYYY-MM-DD HH:MM)."),
                )
                ok = False
        if len(suggestion) > importers.SUGGESTION_MAX_CHARS:
            _err(
                errors,
                number,
                "suggestion",
                suggestion[:40] + "…",
                _("Suggestion longer than %(n)s characters."),
                {"n": importers.SUGGESTION_MAX_CHARS},
            )
            ok = False
        return (number, ref, disposition, candidate, suggestion, callback_at, 0 if ok else 1)

    def household_errors(self) -> list[dict]:
        """The set-based checks over the staged rows, as row errors."""
        errors = []
        with translation.override("en"):
            for number, ref, pk, first, interviewed in staging.stage_household_problems(
                self.poll.pk
            ):
                if pk is None:
                    _err(errors, number, "household_id", ref, _("Household not in the sample."))
                elif number > first:
                    _err(
                        errors,
                        number,
                        "household_id",
                        ref,
                        _(
                            "Second entry from this household (first on row %(row)s): one household, one vote."
                        ),
                        {"row": first},
                    )
                elif interviewed:
                    _err(
                        errors,
                        number,
                        "household_id",
                        ref,
                        _("This household has already been interviewed: one household, one vote."),
                    )
        return errors


def _sorted_errors(errors: list[dict]) -> list[dict]:
    """Row errors by row, and in a row the household first (as the per-row check had them)."""
    return sorted(errors, key=lambda e: (e["row"], 0 if e["column"] == "household_id" else 1))


IMPORT_BATCH = 2000  # rows checked (and written) between two progress updates
IMPORT_STALE_SECONDS = 120  # a running import silent this long has lost its worker
IMPORT_KIND = "poll_import"

# A poll import's outcome (its job's own status is workflow.Job's): the job checks the
# rows and imports them all, rejects the file with a report per row, or finds the same
# file already imported. A rejected file may be mapped again and re-checked.
IMPORT_WORKFLOW = Workflow(
    model=PollImport,
    states=ImportStatus,
    field="status",
    audit_action="poll.import.apply",
    initial=(ImportStatus.UPLOADED,),
    error_class=PollError,
    transitions=[
        Transition(
            "import",
            (ImportStatus.UPLOADED, ImportStatus.REJECTED),
            ImportStatus.IMPORTED,
            _l("Imported"),
        ),
        Transition(
            "reject",
            (ImportStatus.UPLOADED, ImportStatus.REJECTED),
            ImportStatus.REJECTED,
            _l("Rejected: errors found"),
        ),
        Transition(
            "duplicate",
            (ImportStatus.UPLOADED, ImportStatus.REJECTED),
            ImportStatus.DUPLICATE,
            _l("Already imported (same file)"),
        ),
    ],
)


def import_stale_seconds() -> int:
    return setting("SURVEYS_IMPORT_STALE_SECONDS", IMPORT_STALE_SECONDS)


def _check_mapping(imp: PollImport, mapping: dict[str, str]) -> dict[str, str]:
    missing = [
        name for name, required in importers.FIELDS[imp.kind] if required and not mapping.get(name)
    ]
    if imp.kind == ImportKind.SAMPLE and imp.poll.strata.exists() and not mapping.get("stratum"):
        missing.append("stratum")
    if missing:
        raise PollError(_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)})
    unknown = [c for c in mapping.values() if c and c not in imp.headers]
    if unknown:
        raise PollError(_("Unknown column: %(c)s.") % {"c": ", ".join(unknown)})
    return {k: v for k, v in mapping.items() if v}


def import_apply(*, imp: PollImport, mapping: dict[str, str], actor, language="") -> PollImport:
    """Confirm the column mapping and queue the background job that checks every row
    and imports all of them in one transaction if there is no error (otherwise nothing,
    and a per-row report). An import already imported is returned unchanged; one whose
    job is queued, running or failed is refused."""
    mapping = _check_mapping(imp, mapping)
    with transaction.atomic():
        imp = PollImport.objects.select_for_update().select_related("poll").get(pk=imp.pk)
        if imp.status in (ImportStatus.IMPORTED, ImportStatus.DUPLICATE):
            return imp
        if imp.is_active:
            raise PollError(_("This file is already being imported. Wait for the job to finish."))
        if not (imp.may_apply or imp.may_retry):
            raise PollError(
                _("The import of this file stopped with an error. Upload the file again.")
            )
        old = imp.status
        imp.mapping = mapping
        imp.finished_at = None
        imp.language = language or imp.language
        imp.save(update_fields=["mapping", "finished_at", "language"])
        job, _created = jobs.enqueue(
            kind=IMPORT_KIND,
            target=imp,
            actor=actor,
            language=imp.language or settings.LANGUAGE_CODE,
            params={"sha256": imp.sha256},
        )
        imp.job = job
        imp.save(update_fields=["job"])
        audit_record(
            actor=actor,
            action="poll.import.start",
            obj=imp,
            from_state=old,
            to_state=job.status,
            data={"mapping": mapping, "sha256": imp.sha256},
        )
    return imp


def _import_beat(import_id: int, progress: int) -> None:
    jobs.beat_for(IMPORT_KIND, ("surveys.pollimport", import_id), progress)


class _Rejected(Exception):
    def __init__(self, errors, rows):
        super().__init__(f"{len(errors)} row error(s)")
        self.errors, self.rows = errors, rows


def _rows_of(imp, source, encoding):
    """The data rows of the stored file, numbered as a spreadsheet does, after checking
    its header is the one read at upload; and the stream (for its progress)."""
    stream = importers.RowStream(source, imp.filename, encoding=encoding)
    rows = iter(stream)
    header = next(rows, None)
    if header is None:
        raise importers.ImportFileError(_("The file is empty."))
    if [h.strip() for h in header] != imp.headers:
        raise importers.ImportFileError(_("The file's header has changed. Upload it again."))
    return stream, enumerate(rows, start=2)


def _checked_rows(imp, source, encoding, check, *, beat=None, write=None):
    """Stream the file's data rows through `check`; every IMPORT_BATCH rows, hand the
    clean ones to `write` (if given) and report progress to `beat` (if given). Returns
    the number of data rows."""
    stream, rows = _rows_of(imp, source, encoding)
    batch, count = [], 0
    for number, row in rows:
        count += 1
        with translation.override("en"):
            clean = check.check(number, row)
        if clean is not None and write is not None:
            batch.append(clean)
        if count % IMPORT_BATCH == 0:
            if write is not None and batch:
                write(imp, batch)
                batch = []
            if beat is not None:
                beat(stream.fraction())
    if write is not None and batch:
        write(imp, batch)
    if not count:
        raise importers.ImportFileError(_("The file has a header row but no data rows."))
    return count


def _stored_file(imp: PollImport):
    """The stored file as a seekable binary file: from the media storage, or (imports
    uploaded before files went there) the bytes kept on the row."""
    import io

    if imp.file:
        try:
            return imp.file.storage.open(imp.file.name, "rb")
        except FileNotFoundError:
            pass
    else:
        content = PollImport.objects.filter(pk=imp.pk).values_list("content", flat=True).get()
        if content:
            return io.BytesIO(bytes(content))
    raise importers.ImportFileError(
        _("The uploaded file is no longer stored. Upload the file again.")
    )


def _import_run(imp: PollImport, old: str, job) -> dict | None:
    """Read the stored file and import it, all rows or none. Returns the fields to save
    on the import, or None when it is imported and saved."""
    with _stored_file(imp) as source:
        source = getattr(source, "file", source)
        encoding = importers.detect_encoding(source) if imp.file_format == "csv" else ""
        if imp.kind == ImportKind.SAMPLE:
            return _import_sample(imp, old, job, source, encoding)
        return _import_responses(imp, old, job, source, encoding)


def _duplicate_or_done(imp: PollImport) -> dict | None:
    """Inside the writing transaction: {} if this import is already imported, the
    DUPLICATE outcome if the same content was imported meanwhile, else None."""
    locked = PollImport.objects.select_for_update().get(pk=imp.pk)
    if locked.status == ImportStatus.IMPORTED:
        return {}
    if PollImport.objects.filter(
        poll=imp.poll, kind=imp.kind, sha256=imp.sha256, status=ImportStatus.IMPORTED
    ).exists():
        return {"status": ImportStatus.DUPLICATE}
    return None


def _import_responses(imp: PollImport, old: str, job, source, encoding) -> dict | None:
    """Parse every row into the staging table (progress committed each batch), then in
    one transaction: the set-based checks, and either the row errors (nothing written)
    or the three set-based writes (surveys.staging)."""
    poll = imp.poll
    with translation.override("en"):
        parse = _ResponsesParse(poll, imp.headers, imp.mapping)
    staging.stage_create()
    try:
        stream, rows = _rows_of(imp, source, encoding)
        batch, count, write = [], 0, staging.stage_write
        check = parse.check
        with translation.override("en"):
            for number, row in rows:
                batch.append(check(number, row))
                if len(batch) >= staging.STAGE_BATCH:
                    write(batch)
                    count += len(batch)
                    batch = []
                    _import_beat(imp.pk, 5 + 75 * stream.fraction())
        write(batch)
        count += len(batch)
        if not count:
            raise importers.ImportFileError(_("The file has a header row but no data rows."))
        _import_beat(imp.pk, 80)
        with transaction.atomic():
            outcome = _duplicate_or_done(imp)
            if outcome is not None:
                return {**outcome, "row_count": count} if outcome else {}
            # Checked inside the transaction that writes: the sample is as it is now.
            errors = _sorted_errors(parse.household_errors() + parse.errors)
            if errors:
                raise _Rejected(errors, count)
            _import_beat(imp.pk, 90)
            written = staging.stage_apply(poll.pk, imp.pk)
            fields = {
                "status": ImportStatus.IMPORTED,
                "errors": [],
                "imported_count": written,
                "row_count": count,
                "encoding": encoding,
            }
            # In the same transaction as the rows: the constraint "imported once per
            # content" refuses a concurrent import of the same file, and the rows go with it.
            _import_finish(imp, old, fields, job, notes=_normalised_notes(parse))
        return None
    finally:
        if connection.is_usable():
            staging.stage_drop()


def _normalised_notes(parse) -> list[dict]:
    notes = sorted(parse.normalised.items(), key=lambda item: (item[1], item[0]))
    return [{"written": written, "read": read} for written, read in notes]


def _import_sample(imp: PollImport, old: str, job, source, encoding) -> dict | None:
    """A sample (at most tens of thousands of households): every row checked, then, if
    none is wrong, checked again and written in batches in one transaction."""
    poll, mapping = imp.poll, imp.mapping
    with translation.override("en"):
        first = _SampleCheck(poll, imp.headers, mapping)
    rows = _checked_rows(
        imp,
        source,
        encoding,
        first,
        beat=lambda fraction: _import_beat(imp.pk, 5 + 80 * fraction),
    )
    if first.errors:
        raise _Rejected(first.errors, rows)
    _import_beat(imp.pk, 85)
    with transaction.atomic():
        outcome = _duplicate_or_done(imp)
        if outcome is not None:
            return {**outcome, "row_count": rows} if outcome else {}
        with translation.override("en"):
            second = _SampleCheck(poll, imp.headers, mapping)
        written = []

        def write(imp, batch):
            second.write(imp, batch)
            written.append(len(batch))

        _checked_rows(imp, source, encoding, second, write=write)
        if second.errors:
            raise _Rejected(second.errors, rows)  # and the batches written are rolled back
        fields = {
            "status": ImportStatus.IMPORTED,
            "errors": [],
            "imported_count": sum(written),
            "row_count": rows,
            "encoding": encoding,
        }
        _import_finish(imp, old, fields, job)
    return None


def import_execute(*, import_id: int) -> PollImport:
    """Run the import's queued job (the Celery task workflow.job_run does the same).
    Running it again does nothing more: the claim succeeds once, and an imported file
    is never imported again."""
    job_id = PollImport.objects.filter(pk=import_id).values_list("job_id", flat=True).get()
    if job_id:
        jobs.run(job_id)
    return (
        PollImport.objects.defer("content")
        .select_related("poll__edition", "uploaded_by", "job")
        .get(pk=import_id)
    )


def import_handler(job, beat) -> dict:
    """The "poll_import" job, in the uploader's language (the runner has set it). A
    file with row errors is a finished job whose import is "rejected"; a file that
    cannot be read fails the job (workflow.jobs.JobError) with the reason."""
    imp = (
        PollImport.objects.defer("content")
        .select_related("poll__edition", "uploaded_by")
        .get(pk=job.target_id)
    )
    old = imp.status
    fields = None
    try:
        try:
            fields = _import_run(imp, old, job)
        except importers.ImportFileError as exc:
            raise jobs.JobError(str(exc)) from exc
        except IntegrityError as exc:
            raise jobs.JobError(_("This file has just been imported by someone else.")) from exc
        except (OperationalError, InterfaceError):
            return _connection_lost(job)
    except _Rejected as rejected:
        errors = rejected.errors
        for e in errors:  # name the column as the file does
            e["column"] = imp.mapping.get(e["column"], e["column"])
        fields = {
            "status": ImportStatus.REJECTED,
            "errors": errors,
            "imported_count": 0,
            "row_count": rejected.rows,
        }
    if fields is not None:
        with transaction.atomic():
            _import_finish(imp, old, fields, job)
    return {"status": imp.status, "rows": imp.row_count, "imported": imp.imported_count}


CONNECTION_LOST = "database"  # Job.result["failure"]["cause"] of an import that may be retried


def _connection_lost(job) -> dict:
    """The database connection dropped mid-import (a restart, a failover, a killed
    backend): the transaction that writes rolled back, so nothing was imported. Reconnect,
    fail the job with a message people can act on, and let the import be tried again."""
    if not connection.in_atomic_block:
        connection.close()  # the next query opens a fresh connection
    message = _(
        "The connection to the database was lost during the import. Nothing was imported. "
        "Try again: the file is still stored."
    )
    failure = {"cause": CONNECTION_LOST, "at": timezone.now().isoformat()}
    jobs.fail(job, message, result={"failure": failure})
    return {"failure": failure}


def import_failed(job, message: str) -> None:
    """The job failed or stopped: the import says so in its audit trail (from its own
    status), and may not be applied again (the file is uploaded again)."""
    imp = PollImport.objects.defer("content").select_related("uploaded_by").get(pk=job.target_id)
    imp.finished_at = timezone.now()
    imp.save(update_fields=["finished_at"])
    audit_record(
        actor=imp.uploaded_by,
        action="poll.import.fail",
        obj=imp,
        from_state=imp.status,
        to_state=job.status,
        reason=message[:500],
        data={"rows": imp.row_count, "errors": len(imp.errors), "sha256": imp.sha256},
    )


def _import_finish(imp: PollImport, old: str, fields: dict, job, notes=None) -> None:
    """Save the job's outcome on the import through its table, with its audit entry,
    and finish the job in the same transaction. The row is the job's own (the claim runs
    it once), so the instance read without its file content is the one saved."""
    fields = dict(fields)
    to_state = fields.pop("status", None)
    if to_state is None:  # already imported by an earlier run of the job: nothing new
        imp.finished_at = timezone.now()
        imp.save(update_fields=["finished_at"])
        jobs.finish(job, {"status": imp.status, "rows": imp.row_count})
        return
    IMPORT_WORKFLOW.apply(
        imp,
        to_state,
        actor=imp.uploaded_by,
        update={**fields, "finished_at": timezone.now()},
        data={
            "rows": imp.row_count if "row_count" not in fields else fields["row_count"],
            "errors": len(fields.get("errors", imp.errors)),
            "sha256": imp.sha256,
        },
        locked=imp,
    )
    result = {"status": imp.status, "rows": imp.row_count, "imported": imp.imported_count}
    if notes:
        result["normalised"] = notes
    jobs.finish(job, result)


# --- the tally -----------------------------------------------------------------------


TALLY_KIND = "tally"


def poll_tally_start(*, poll: Poll, actor) -> PollTallyRun:
    """Queue a tally run: a workflow.Job of kind "tally" whose target is the poll, and the
    run that will hold its counts. Refused (TallyAlreadyRunning) while another run of the
    poll is queued or running and alive; a run whose worker stopped sending heartbeats
    is marked stale first (workflow.jobs.enqueue). One active job per poll is also a
    database constraint."""
    with transaction.atomic():
        Poll.objects.select_for_update().filter(pk=poll.pk).first()
        job, created = jobs.enqueue(kind=TALLY_KIND, target=poll, actor=actor)
        if not created:
            active = PollTallyRun.objects.select_related("job").filter(job=job).first()
            raise TallyAlreadyRunning(active or PollTallyRun(poll=poll, job=job))
        run = PollTallyRun.objects.create(poll=poll, requested_by=actor, job=job)
    return run


def tally_failed(job, message: str) -> None:
    """Keep why a run failed on the run (inputs["failure"]), so that its page can say it
    in the reader's language and the edition's local time. cause: "database" (the
    database connection was lost), "stopped" (a running worker went silent),
    "never_started" (no worker picked the run up) or "error" (the tally itself raised)."""
    failure = dict((job.result or {}).get("failure") or {})
    at = failure.get("at") or (job.finished_at.isoformat() if job.finished_at else None)
    detail = "" if job.status == "stale" else message[:500]
    for run in PollTallyRun.objects.filter(job=job):
        run.inputs = {
            **(run.inputs or {}),
            "failure": {"cause": failure.get("cause", "error"), "at": at, "detail": detail},
        }
        run.save(update_fields=["inputs"])


def heartbeat_seconds() -> int:
    return setting("SURVEYS_TALLY_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)


def stale_seconds() -> int:
    return setting("SURVEYS_TALLY_STALE_SECONDS", STALE_SECONDS)


def tally_inputs(poll: Poll) -> dict:
    """Everything the tally counts, each counted by the database (GROUP BY)."""
    dispositions = {
        row["disposition"]: row["n"]
        for row in Household.objects.filter(poll=poll)
        .values("disposition")
        .annotate(n=Count("id"))
        .order_by("disposition")
    }
    cells = {
        (row["stratum_id"], row["candidate_id"]): row["n"]
        for row in Response.objects.filter(
            poll=poll, disposition=Disposition.COMPLETE, candidate__isnull=False
        )
        .values("stratum_id", "candidate_id")
        .annotate(n=Count("id"))
        .order_by("stratum_id", "candidate_id")
    }
    return {"dispositions": dispositions, "cells": cells}


def compute_results(poll: Poll, dispositions: dict, cells: dict) -> dict:
    candidates = [
        statistics.Candidate(c.pk, c.agency.code, c.agency.name_zh, c.agency.name_en)
        for c in poll.candidates.select_related("agency").order_by("order", "agency__code")
    ]
    strata = [
        statistics.StratumInfo(s.pk, s.code, s.name_zh, s.name_en, s.population_share)
        for s in poll.strata.order_by("order", "code")
    ]
    return statistics.tally(
        poll_id=poll.pk,
        candidates=candidates,
        strata=strata,
        cells=cells,
        dispositions=dispositions,
        places=poll.award_places,
        tie_rule=poll.tie_rule,
    )


def poll_tally_execute(*, run_id: int) -> PollTallyRun:
    """Run a queued tally (the Celery task workflow.job_run does the same)."""
    run = PollTallyRun.objects.get(pk=run_id)
    if run.job_id:
        jobs.run(run.job_id)
    return PollTallyRun.objects.select_related("job", "poll__edition").get(pk=run_id)


def tally_execute(job, beat) -> dict:
    """The "tally" job: each step commits its progress and a heartbeat. Running it again
    on the same data gives the same results."""
    run = PollTallyRun.objects.select_related("poll__edition", "requested_by").get(job=job)
    poll = run.poll
    beat(10)
    inputs = tally_inputs(poll)
    beat(60)
    results = compute_results(poll, inputs["dispositions"], inputs["cells"])
    beat(90)
    counted = {
        "households": sum(inputs["dispositions"].values()),
        "responses": Response.objects.filter(poll=poll).count(),
        "votes": results["n_votes"],
        "candidates": len(results["rows"]),
        "strata": len(results["strata"]),
        **_fingerprint(inputs),
    }
    with transaction.atomic():
        run.inputs = counted
        run.results = results
        run.save(update_fields=["inputs", "results"])
        jobs.finish(job, {"inputs": counted, "winners": results["winners"]})
    return {"inputs": counted, "winners": results["winners"]}


def _fingerprint(inputs: dict) -> dict:
    """What a tally counted, kept on the run so that publishing can tell whether the
    responses changed since: households per final code and votes per (stratum, candidate)."""
    return {
        "dispositions": {k or "": v for k, v in sorted(inputs["dispositions"].items())},
        "cells": sorted([s, c, n] for (s, c), n in inputs["cells"].items()),
    }


def tally_changes(run: PollTallyRun) -> list[str]:
    """How the poll's counted inputs differ from what `run` counted, one sentence each;
    [] when the tally is up to date. A run that kept no fingerprint cannot be checked and
    counts as out of date."""
    kept = run.inputs or {}
    if "cells" not in kept:
        return [_("This tally was run before tallies recorded what they counted.")]
    now = _fingerprint(tally_inputs(run.poll))
    changes = []
    labels = dict(Disposition.choices)
    before_d, after_d = kept["dispositions"], now["dispositions"]
    for code in sorted(set(before_d) | set(after_d)):
        a, b = before_d.get(code, 0), after_d.get(code, 0)
        if a != b:
            changes.append(
                _("Households “%(code)s”: %(before)d then, %(after)d now.")
                % {"code": labels.get(code) or _("not called"), "before": a, "after": b}
            )
    names = {
        c.pk: c.agency.code
        for c in PollCandidate.objects.filter(poll=run.poll).select_related("agency")
    }
    votes_then: dict[int, int] = {}
    votes_now: dict[int, int] = {}
    for cells, into in ((kept["cells"], votes_then), (now["cells"], votes_now)):
        for _s, c, n in cells:
            into[c] = into.get(c, 0) + n
    for cid in sorted(set(votes_then) | set(votes_now), key=lambda c: names.get(c, str(c))):
        a, b = votes_then.get(cid, 0), votes_now.get(cid, 0)
        if a != b:
            changes.append(
                _("Votes for %(code)s: %(before)d then, %(after)d now.")
                % {"code": names.get(cid, cid), "before": a, "after": b}
            )
    if not changes and [list(c) for c in kept["cells"]] != now["cells"]:
        changes.append(_("Votes moved between districts; the totals per department are the same."))
    return changes


@transaction.atomic
def poll_publish(*, poll: Poll, run: PollTallyRun, actor) -> Poll:
    if run.poll_id != poll.pk or run.status != JobStatus.DONE:
        raise PollError(_("Only a finished tally of this poll can be published."))
    if not POLL_WORKFLOW.allows(poll.status, PollStatus.PUBLISHED):
        raise PollError(_("Close the fieldwork before publishing the results."))
    changes = tally_changes(run)
    if changes:
        raise PollError(
            [
                _(
                    "The responses changed since this tally was run, so it is out of date. "
                    "Run the tally again and publish the new run."
                ),
                *changes,
            ]
        )
    poll_transition(
        poll=poll,
        to_state=PollStatus.PUBLISHED,
        actor=actor,
        update={"published_run": run},
        data={"run": run.pk, "winners": run.results.get("winners")},
    )
    return poll
