"""Kaplan-Meier, log-rank and univariate Cox.  Placeholder: being written (issue 5)."""


def kaplan_meier(time, event):
    raise NotImplementedError


def logrank_test(time, event, group):
    raise NotImplementedError


def cox_univariate(time, event, x, ties="efron"):
    raise NotImplementedError
