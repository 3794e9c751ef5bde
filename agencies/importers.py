"""Agency list import (CSV or XLSX). Filled in by the import work."""


class AgencyImportError(Exception):
    def __init__(self, problems):
        super().__init__("agency import refused")
        self.problems = problems


def import_agencies(*, data: bytes, filename: str, actor=None):
    raise NotImplementedError
