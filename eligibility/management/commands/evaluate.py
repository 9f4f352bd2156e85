"""python manage.py evaluate FILE|-        one request → one JSON object (policy.md §7)
python manage.py evaluate --jsonl FILE|-  one request per line → one result per line, in order

A bad single request prints {"errors": [...]} and exits 1. In a batch a bad line yields its errors object
on its own output line and the batch goes on; the exit is non-zero only when the input cannot be read.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from config.errors import ServiceError
from eligibility.batch import Batch, loads
from eligibility.io import dumps, evaluate_request

FLUSH_EVERY = 2000


_loads = loads  # NaN and Infinity refused, as the API's parser refuses them
_dumps = dumps


def _errors(message: str) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"field": "__all__", "message": message}]}


class Command(BaseCommand):
    help = "按赣发〔2018〕7号测算家庭的救助类别和金额。"
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="请求 JSON 文件，- 表示标准输入")
        parser.add_argument(
            "--jsonl", metavar="FILE", help="批量：每行一个请求的 JSON Lines 文件，- 表示标准输入"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        if options["jsonl"] is not None:
            if options["file"] is not None:
                raise CommandError("FILE 与 --jsonl 只能给出其一")
            self._batch(options["jsonl"], stdin)
        elif options["file"] is not None:
            self._single(options["file"], stdin)
        else:
            raise CommandError("请给出请求文件 FILE（或 - 表示标准输入），或 --jsonl FILE")

    def _open_binary(self, name: str, stdin: Any) -> Any:
        if name == "-":
            return getattr(stdin, "buffer", stdin)
        try:
            return open(name, "rb")  # closed by the caller
        except OSError as exc:
            self.stdout.write(_dumps(_errors(f"无法读取输入文件：{exc}")))
            raise CommandError(f"无法读取输入文件 {name}：{exc}", returncode=2) from None

    @staticmethod
    def _text(data: bytes | str) -> str:
        return data if isinstance(data, str) else data.decode("utf-8-sig")

    def _single(self, name: str, stdin: Any) -> None:
        stream = self._open_binary(name, stdin)
        try:
            raw = stream.read()
        finally:
            if stream is not stdin and stream is not getattr(stdin, "buffer", None):
                stream.close()
        try:
            payload = _loads(self._text(raw))
        except (UnicodeDecodeError, ValueError) as exc:
            self.stdout.write(_dumps(_errors(f"不是有效的 JSON：{exc}")))
            raise CommandError("输入不是有效的 JSON", returncode=1) from None
        try:
            result = evaluate_request(payload)
        except ServiceError as exc:
            self.stdout.write(_dumps(exc.as_json()))
            raise CommandError("输入有误，见上方 errors", returncode=1) from None
        self.stdout.write(_dumps(result))

    def _batch(self, name: str, stdin: Any) -> None:
        batch = Batch()  # one cache for the batch: all regions, each year's standards, the fast path
        stream = self._open_binary(name, stdin)
        out: Any = (
            self.stdout._out
        )  # the underlying stream: OutputWrapper.write per line is measurably slower
        buffer: list[str] = []
        try:
            for number, line in enumerate(stream, start=1):
                buffer.append(self._one_line(line, number, batch))
                if len(buffer) >= FLUSH_EVERY:
                    out.write("\n".join(buffer) + "\n")
                    buffer.clear()
        except OSError as exc:
            raise CommandError(f"读取输入失败：{exc}", returncode=2) from None
        finally:
            if buffer:
                out.write("\n".join(buffer) + "\n")
            if stream is not stdin and stream is not getattr(stdin, "buffer", None):
                stream.close()
        out.flush()

    def _one_line(self, line: bytes | str, number: int, batch: Batch) -> str:
        try:
            text = (
                self._text(line) if number == 1 else (line if isinstance(line, str) else line.decode("utf-8"))
            )
        except UnicodeDecodeError as exc:
            return _dumps(_errors(f"第 {number} 行不是有效的 UTF-8：{exc}"))
        if not text.strip():
            return _dumps(_errors(f"第 {number} 行为空"))
        try:
            payload = _loads(text)
        except ValueError as exc:
            return _dumps(_errors(f"第 {number} 行不是有效的 JSON：{exc}"))
        try:
            return batch.evaluate_json(payload)
        except ServiceError as exc:
            return _dumps(exc.as_json())
