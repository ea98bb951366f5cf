"""A hand-computed history for the service-level report, made through the API with time set by
time-machine, on Northwind (Europe/Berlin; its premium policy runs on a 24×7 calendar: respond
15 minutes, call back 120, restore P1 240).

The period is 25–31 October 2026 in Berlin: summer time ends on the 25th at 03:00, so the
period runs from 2026-10-24T22:00Z (00:00 CEST) to 2026-10-31T23:00Z (00:00 CET on 1 November).

| ticket | account, site | created (UTC) | what happens (UTC) |
| A | Acme, Frankfurt | 10-24 22:30 (25th 00:30 local: in) | acknowledged 22:40 (respond met, in); called back 23:00 (met, in); waits for the customer 23:10–01:10 (restore paused 2 h: due 04:30); resolved 04:00 (met); reopened by alice 05:00 (the hour resolved counts as paused: due 05:30); resolved 06:00 (restore breached, decided at its due 05:30, in) |
| B | Acme, Frankfurt | 10-24 21:30 (24th 23:30 local: out) | acknowledged 21:50 (respond breached at due 21:45: 24th local, out); called back 10-25 00:00 (callback breached at due 23:30 = 25th 01:30 local: in); resolved 10-25 01:00 (restore met, in) |
| C | Acme, Frankfurt | 10-31 22:30 (31st 23:30 CET: in) | acknowledged 22:50 (respond breached at due 22:45: in) |
| D | Acme, Frankfurt | 10-31 23:30 (1 Nov 00:30 local: out) | acknowledged 23:35 (respond met: out) |
| E | Globex, London | 10-27 10:00 | acknowledged 10:05 (respond met) |
| F | Acme, Madrid | 10-26 09:00 | acknowledged 09:05 (respond met); resolved 09:30 (restore met) |
| H | Acme, Frankfurt, complaint | 10-28 12:00 | acknowledged 12:30 (respond breached at due 12:15) |
| G | Bluepeak | 10-27 10:00 | acknowledged 10:05 (another tenant's) |

Callback clocks of C–F stay running (no call-back logged; no sweep runs): they do not count.

Every incident is an outage; the problems started (UTC): A 10-24 22:20, B 10-24 21:00, C 10-31
22:00, D 10-31 23:20, E 10-27 09:00, F 10-26 08:30.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

AGENT = "agent@northwind.example"
ALICE = "alice@acme.example"

INCIDENT = {
    "kind": "incident",
    "service": "NW-MPLS-1001",
    "subject": "MPLS link down",
    "description": "The warehouse cannot reach the data centre.",
    "impact": "outage",
    "urgency": "high",
    "problem_started_at": "2026-10-01T00:00:00Z",
    "answers": {"power_at_site": "yes", "symptom": "no_service"},
}
COMPLAINT = {
    "kind": "complaint",
    "service": "NW-VOICE-1003",
    "subject": "Extensions late",
    "description": "Promised for Monday.",
    "urgency": "low",
    "answers": {
        "power_at_site": "yes",
        "voice_problem": "other",
        "calling_number": "+49 69 5550 1000",
        "called_number": "+49 69 5550 1001",
    },
}
MADRID = {**INCIDENT, "service": "NW-MPLS-2001", "problem_started_at": "2026-10-26T08:30:00Z"}
GLOBEX = {**INCIDENT, "service": "NW-INET-3001", "problem_started_at": "2026-10-27T09:00:00Z"}
BLUEPEAK = {**INCIDENT, "service": "BP-INET-0001", "answers": {"power_at_site": "yes", "symptom": "no_service"}}

PERIOD = {"from": "2026-10-25", "to": "2026-10-31"}


@dataclass
class History:
    numbers: dict[str, str]


class Desk:
    def __init__(self, demo, time_machine) -> None:
        self.demo, self.time_machine = demo, time_machine

    def at(self, instant: str) -> None:
        self.time_machine.move_to(instant, tick=False)

    def open(self, payload: dict, who: str = ALICE) -> str:
        response = self.demo.api(who).post("/api/v1/tickets/", payload, format="json")
        assert response.status_code == 201, response.json()
        return response.json()["number"]

    def act(self, number: str, action: str, who: str = AGENT) -> None:
        response = self.demo.api(who).post(
            f"/api/v1/tickets/{number}/transition/", {"action": action, "reason": "done"}, format="json"
        )
        assert response.status_code == 200, response.json()

    def call_back(self, number: str) -> None:
        response = self.demo.api(AGENT).post(f"/api/v1/tickets/{number}/callback/", {"note": "called"}, format="json")
        assert response.status_code == 200, response.json()


def build_history(demo, time_machine) -> History:
    desk = Desk(demo, time_machine)
    numbers = {}
    desk.at("2026-10-24T21:30:00Z")
    numbers["B"] = desk.open({**INCIDENT, "problem_started_at": "2026-10-24T21:00:00Z"})
    desk.at("2026-10-24T21:50:00Z")
    desk.act(numbers["B"], "acknowledge")
    desk.at("2026-10-24T22:30:00Z")
    numbers["A"] = desk.open({**INCIDENT, "problem_started_at": "2026-10-24T22:20:00Z"})
    desk.at("2026-10-24T22:40:00Z")
    desk.act(numbers["A"], "acknowledge")
    desk.at("2026-10-24T23:00:00Z")
    desk.call_back(numbers["A"])
    desk.at("2026-10-24T23:05:00Z")
    desk.act(numbers["A"], "start_work")
    desk.at("2026-10-24T23:10:00Z")
    desk.act(numbers["A"], "wait_for_customer")
    desk.at("2026-10-25T00:00:00Z")
    desk.call_back(numbers["B"])
    desk.at("2026-10-25T01:00:00Z")
    desk.act(numbers["B"], "resolve")
    desk.at("2026-10-25T01:10:00Z")
    desk.act(numbers["A"], "resume")
    desk.at("2026-10-25T04:00:00Z")
    desk.act(numbers["A"], "resolve")
    desk.at("2026-10-25T05:00:00Z")
    desk.act(numbers["A"], "reopen", who=ALICE)
    desk.at("2026-10-25T06:00:00Z")
    desk.act(numbers["A"], "resolve")
    desk.at("2026-10-26T09:00:00Z")
    numbers["F"] = desk.open(MADRID)
    desk.at("2026-10-26T09:05:00Z")
    desk.act(numbers["F"], "acknowledge")
    desk.at("2026-10-26T09:30:00Z")
    desk.act(numbers["F"], "resolve")
    desk.at("2026-10-27T10:00:00Z")
    numbers["E"] = desk.open(GLOBEX, who="bob@globex.example")
    numbers["G"] = desk.open(BLUEPEAK, who="carol@initech.example")
    desk.at("2026-10-27T10:05:00Z")
    desk.act(numbers["E"], "acknowledge")
    desk.act(numbers["G"], "acknowledge", who="agent@bluepeak.example")
    desk.at("2026-10-28T12:00:00Z")
    numbers["H"] = desk.open(COMPLAINT)
    desk.at("2026-10-28T12:30:00Z")
    desk.act(numbers["H"], "acknowledge")
    desk.at("2026-10-31T22:30:00Z")
    numbers["C"] = desk.open({**INCIDENT, "problem_started_at": "2026-10-31T22:00:00Z"})
    desk.at("2026-10-31T22:50:00Z")
    desk.act(numbers["C"], "acknowledge")
    desk.at("2026-10-31T23:30:00Z")
    numbers["D"] = desk.open({**INCIDENT, "problem_started_at": "2026-10-31T23:20:00Z"})
    desk.at("2026-10-31T23:35:00Z")
    desk.act(numbers["D"], "acknowledge")
    desk.at("2026-11-02T09:00:00Z")
    return History(numbers)


@pytest.fixture
def history(demo, time_machine) -> History:
    return build_history(demo, time_machine)
