"""The papers an office prints (issue 16 item 4): the 公示名单 for the community board, the 申请审批表, 入户调查表 and
民主评议记录 of an application, and the decision notices (批准 / 不予批准 / 变更 / 停发 / 终止救助通知书) with their
文号 — as A4 print pages and as PDF.

It sits above applications and benefits (it reads both and never writes to them): a notice is issued by the
office from a decision already taken, and its 文号 is drawn then from one sequence per county and year."""
