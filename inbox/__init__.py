"""我的待办 (the inbox): what waits for each user, notifications of what changed on their cases, the daily
e-mail digest, and the daily jobs' scheduler for the embedded mode. The top layer: it reads every app and
no app imports it."""
