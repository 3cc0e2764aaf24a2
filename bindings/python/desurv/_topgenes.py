"""top_genes(model, ntop).  Placeholder: being written (issue 5)."""


def top_genes(model, ntop):
    raise NotImplementedError("top_genes is being written")
