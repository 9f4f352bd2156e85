"""The API's JSON parser: DRF's, with JSON nested too deeply for Python's parser (RecursionError) refused as a
400 in the one error format instead of a server error."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON 嵌套层数过多") from None
