"""What happens to a message after Notify accepts it: its delivery status, from Notify's callbacks and from
reading Notify's list, kept with its history on the log entry.

- `statuses`: Notify's status words, their order, and what each means to a caseworker.
- `models`: every status report received (DeliveryEvent), matched or still waiting for its entry.
- `record`: matching a report to its entry and moving the entry's status forward (never back).
- `callbacks`: the endpoint Notify POSTs to, and its tokens.
- `polling`: reading Notify's list for what no callback brought.
"""
