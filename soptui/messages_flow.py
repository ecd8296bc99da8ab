"""Strings of the SOP flowchart (screen and CLI) and of the printed papers (PDF)."""

from __future__ import annotations

ID: dict[str, str] = {
    "flow.yes": "Ya",
    "flow.no": "Tidak",
    "flow.refuse": "Tolak",
    "flow.end": "selesai",
    "flow.uraian": "Uraian Prosedur",
    "flow.mutu": "Mutu Baku: Waktu",
    "flow.now": "SEKARANG",
    "flow.at_step": "langkah {no}",
    "flow.lanes": "Pelaksana:",
    "flow.external": "di luar kantor",
    "flow.symbols": "Simbol:",
    "flow.sym_terminal": "mulai/selesai",
    "flow.sym_process": "kegiatan",
    "flow.sym_decision": "keputusan",
    "flow.marks": "Tanda:",
    "flow.path_taken": "garis tebal: pengembalian yang terjadi pada kasus ini",
}

EN: dict[str, str] = {
    "flow.yes": "Yes",
    "flow.no": "No",
    "flow.refuse": "Refuse",
    "flow.end": "end",
    "flow.uraian": "Procedure",
    "flow.mutu": "Standard: Time",
    "flow.now": "NOW",
    "flow.at_step": "step {no}",
    "flow.lanes": "Performers:",
    "flow.external": "outside the office",
    "flow.symbols": "Symbols:",
    "flow.sym_terminal": "start/end",
    "flow.sym_process": "activity",
    "flow.sym_decision": "decision",
    "flow.marks": "Marks:",
    "flow.path_taken": "heavy line: a return taken in this case",
}
