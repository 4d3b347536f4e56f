"""Outside registries the cases consult, behind interfaces; the demo uses simulations.

``SimulatedCertificateRegistry`` stands for the national vocational-qualification and
skill-level certificate lookup (技能人才评价证书全国联网查询, operated by the ministry's
Occupational Skill Testing Authority): given the holder's ID number and the certificate
number it answers whether the certificate exists for that holder (with occupation,
level and issue date). The simulation is deterministic: a certificate number of 10 to
30 digits whose last digit is the Luhn check of the rest is "found"; anything else is
"not found". Replace it by configuring ``CERTIFICATE_REGISTRY`` with a class that
implements :class:`CertificateRegistry` against the real service.
"""

from __future__ import annotations

import re
from typing import Protocol


class CertificateRegistry(Protocol):
    def verify(self, *, id_number: str, number: str) -> bool | None:
        """True: found for this holder; False: not found; None: the registry could not answer."""
        ...


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        value = int(d) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class SimulatedCertificateRegistry:
    """A stand-in for the national certificate lookup; says so in every answer's name."""

    name = "simulated national certificate registry"

    def verify(self, *, id_number: str, number: str) -> bool | None:
        if not re.fullmatch(r"[0-9]{10,30}", number):
            return False
        return luhn_ok(number)


simulated_certificate_registry: CertificateRegistry = SimulatedCertificateRegistry()
