"""What a list page the figures link to shows: the one helper the oversight tests follow their links with."""


def listed(client, url: str) -> int:
    """How many rows the list at the URL shows (the ledger's and the visit list's count)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count
