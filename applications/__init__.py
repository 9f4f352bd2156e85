"""Applications for 低保 / 特困 / 支出型 from intake to decision: the state machine of steps (受理 → 授权核对 →
入户调查 → 民主评议 → 街道审核 → 公示 → 县级审批 → 通知), who did what and when (events, milestones), step time
limits and deadlines in working days, home visits, democratic reviews, objections, uploaded documents and the
decision letter. A county approval hands over to benefits through the hook in applications/hooks.py, which
benefits registers, so this app never imports benefits."""
