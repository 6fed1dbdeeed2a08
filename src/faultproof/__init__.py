"""faultproof: a fault proof framework.

A fault proof shows that a program, started from an agreed state with agreed inputs, did not produce a
claimed output. The package splits that job into swappable parts: program executors (``vm``), the
preimage oracle (``preimage``), the bisection game (``game``), trace providers (``trace``), on-chain
contracts (``contracts``), chain access (``chain``) and the agents that play games (``agents``).
"""

__version__ = "0.1.0"
