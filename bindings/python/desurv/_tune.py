"""DeSurvTuner: cross-validated model selection (desurv_tune).  Placeholder:
being written (issue 5)."""


class DeSurvTuner:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("DeSurvTuner is being written")
