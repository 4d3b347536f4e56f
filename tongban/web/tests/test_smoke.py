import pytest

pytestmark = pytest.mark.django_db


def test_pages_render(claimant, office, worker):
    for path in ["/", "/me/", "/me/apply/unemployment/", "/me/apply/ui_benefit/", "/me/payments/", "/me/new-job/"]:
        r = claimant.get(path)
        assert r.status_code == 200, (path, r.content.decode()[:3000])
    r = claimant.post("/me/apply/unemployment/", {"office": "haikou-longhua", "submission_key": "k1"})
    assert r.status_code == 302, r.content.decode()[:5000]
    page = claimant.get(r["Location"]).content.decode()
    print(page[page.index("<main"):][:4000])
    hk = office["hk_acceptor"]
    assert hk.get("/office/").status_code == 200
    r = hk.post("/office/accept/", {"action": "find", "id_text": "号码 " + worker.id_number})
    assert r.status_code == 302
    r = hk.get("/office/accept/")
    assert r.status_code == 200, r.content.decode()[:3000]
    sy = office["sy_reviewer"]
    q = sy.get("/office/").content.decode()
    import re
    ref = re.findall(r'/office/cases/(TB[0-9A-Z]+)/', q)
    assert ref, q
    r = sy.get(f"/office/cases/{ref[0]}/")
    assert r.status_code == 200, r.content.decode()[:3000]
