"""The ella_nginx role's site as Ansible renders it for each host of a small inventory (two app hosts, one
balancer), with TLS on (the default) and off, plus the role's tasks and the proxy playbook read as data.

The rendering uses a throwaway role whose defaults, vars and templates are ella_nginx's own (symlinks), so
variable precedence is the real role's. When nginx is installed on this machine, every rendered site is also
checked with the role's own `nginx -t` checker against throwaway certificates.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import ROLES, ROOT, defaults, load_yaml, run_playbook

ROLE = ROLES / "ella_nginx"
CHECK_SITE = ROLE / "files" / "nginx-check-site"
MOZILLA_INTERMEDIATE_TLS12 = {
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
}

INVENTORY: dict[str, Any] = {
    "all": {
        "children": {
            "ella_db": {"hosts": {"db1": {"ansible_host": "192.0.2.10"}}},
            "ella_app": {"hosts": {"app1": {"ansible_host": "192.0.2.21"}, "app2": {"ansible_host": "192.0.2.22"}}},
            "ella_proxy": {"hosts": {"app1": {}, "app2": {}}},
            "ella_balancer": {"hosts": {"lb1": {"ansible_host": "192.0.2.5", "ella_nginx_mode": "balancer"}}},
        }
    }
}
ALL_IN_ONE: dict[str, Any] = {
    "all": {
        "children": {
            "ella_db": {"hosts": {"aio": {"ansible_host": "192.0.2.30"}}},
            "ella_app": {"hosts": {"aio": {}}},
            "ella_proxy": {"hosts": {"aio": {}}},
        }
    }
}

RENDER_TASKS = [
    {
        "name": "Render the site",
        "ansible.builtin.template": {
            "src": "ella-site.conf.j2",
            "dest": "{{ render_out }}/{{ inventory_hostname }}.conf",
            "mode": "0644",
        },
    },
    {
        "name": "Write the derived values",
        "ansible.builtin.copy": {
            "content": "{{ {'sans': _ella_nginx_tls_sans, 'ca_host': ella_nginx_ca_host,"
            " 'ca_needed': _ella_nginx_ca_needed | bool, 'local': _ella_nginx_tls_local | bool} | to_json }}",
            "dest": "{{ render_out }}/{{ inventory_hostname }}.json",
            "mode": "0644",
        },
    },
]


def render(tmp: Path, inventory: dict[str, Any], extra: dict[str, Any] | None = None) -> Path:
    role = tmp / "roles" / "render_nginx"
    (role / "tasks").mkdir(parents=True)
    for part in ("defaults", "vars", "templates"):
        (role / part).symlink_to(ROLE / part)
    (role / "meta").mkdir()
    (role / "meta" / "main.yml").write_text("dependencies: [ella_common]\n")  # as ella_nginx's meta/main.yml
    (tmp / "roles" / "ella_common").symlink_to(ROLES / "ella_common")
    (role / "tasks" / "main.yml").write_text(yaml.safe_dump(RENDER_TASKS, sort_keys=False))
    (tmp / "hosts.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Render", "hosts": "all", "gather_facts": False, "roles": ["render_nginx"]}]
    (tmp / "render.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    out = tmp / "out"
    out.mkdir()
    variables = {"render_out": str(out), "ansible_connection": "local", **(extra or {})}
    run_playbook(
        ["-i", str(tmp / "hosts.yml"), str(tmp / "render.yml"), "-e", json.dumps(variables)],
        cwd=tmp,
        env={"ANSIBLE_ROLES_PATH": str(tmp / "roles")},
    )
    return out


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("tls"), INVENTORY)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("plain"), INVENTORY, {"ella_nginx_tls": False})


@pytest.fixture(scope="module")
def aio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("aio"), ALL_IN_ONE, {"ella_nginx_http_port": 0})


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(
        tmp_path_factory.mktemp("custom"),
        INVENTORY,
        {
            "ella_nginx_port": 443,
            "ella_nginx_server_name": "ella.example.org",
            "ella_nginx_tls_extra_names": ["ella-alias.example.org", "198.51.100.7"],
            "ella_nginx_upstream_servers": ["10.0.0.1:8443", "10.0.0.2:8443"],
            "ella_nginx_upstream_max_fails": 3,
            "ella_nginx_upstream_fail_timeout": 30,
            "ella_nginx_trusted_proxies": ["10.1.0.0/24"],
            "ella_nginx_upstream_ca": "/etc/ssl/certs/ca-certificates.crt",
            "ella_nginx_hsts_max_age": 0,
        },
    )


def site(out: Path, host: str) -> str:
    text = (out / f"{host}.conf").read_text()
    assert text.count("{") == text.count("}"), text
    return text


def lines(text: str) -> list[str]:
    """Directives without indentation and comments."""
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def derived(out: Path, host: str) -> dict[str, Any]:
    return json.loads((out / f"{host}.json").read_text())


# --- TLS by default ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["app1", "lb1"])
def test_https_on_the_ella_port_with_modern_tls_only(tls: Path, host: str) -> None:
    d = lines(site(tls, host))
    assert "listen 3114 ssl http2 default_server;" in d
    assert "ssl_certificate /etc/nginx/ella-tls/ella.crt;" in d
    assert "ssl_certificate_key /etc/nginx/ella-tls/ella.key;" in d
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in d
    ciphers = next(x for x in d if x.startswith("ssl_ciphers ")).removeprefix("ssl_ciphers ").rstrip(";")
    assert set(ciphers.split(":")) == MOZILLA_INTERMEDIATE_TLS12
    assert "ssl_prefer_server_ciphers off;" in d
    assert "ssl_session_tickets off;" in d
    assert 'add_header Strict-Transport-Security "max-age=63072000" always;' in d
    assert "server_tokens off;" in d


@pytest.mark.parametrize("host", ["app1", "lb1"])
def test_plain_http_is_redirected_to_https(tls: Path, host: str) -> None:
    text = site(tls, host)
    d = lines(text)
    # on the ELLA port itself: nginx's 497 (plain HTTP to an HTTPS port) becomes a 301 to the same port
    assert "error_page 497 =301 https://$host:$server_port$request_uri;" in d
    # port 80: a server that only redirects
    redirect = text.split("server {")[1]
    assert "listen 80;" in lines(redirect)
    assert "return 301 https://$host:3114$request_uri;" in lines(redirect)
    assert "proxy_pass" not in redirect and "root " not in redirect


def test_app_mode_proxies_the_socket_and_says_https(tls: Path) -> None:
    d = lines(site(tls, "app1"))
    assert "server unix:/run/ella/api.sock fail_timeout=0;" in d
    assert "proxy_pass http://ella_api;" in d
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in d  # https here: the app marks its cookie Secure
    assert "root /opt/ella/current/webui;" in d
    assert "try_files $uri $uri/ /index.html;" in d
    # behind the balancer: the client address comes from the balancer's X-Forwarded-For, and only from it
    assert "set_real_ip_from 192.0.2.5;" in d
    assert "real_ip_header X-Forwarded-For;" in d
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in d
    assert not any("ella_backends" in x for x in d)


def test_balancer_spreads_over_every_app_host_with_verified_tls(tls: Path) -> None:
    text = site(tls, "lb1")
    d = lines(text)
    upstream = lines(text.split("upstream ella_backends {")[1].split("}")[0])
    assert upstream == [
        "server 192.0.2.21:3114 max_fails=2 fail_timeout=10s;",
        "server 192.0.2.22:3114 max_fails=2 fail_timeout=10s;",
    ]  # no idle keepalive connections by default: a vanished app host must not hold requests
    assert "proxy_pass https://ella_backends;" in d
    assert "proxy_ssl_verify on;" in d
    assert "proxy_ssl_trusted_certificate /etc/nginx/ella-tls/ella-ca.crt;" in d
    assert "proxy_ssl_name ella-backend;" in d
    assert "proxy_ssl_server_name on;" in d
    assert "proxy_ssl_protocols TLSv1.2 TLSv1.3;" in d
    assert "proxy_next_upstream error timeout http_502 http_503 http_504;" in d
    # POSTs are resent only when they never reached an app host (nginx's default without non_idempotent)
    assert "non_idempotent" not in " ".join(d)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in d
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in d
    assert "proxy_hide_header Strict-Transport-Security;" in d
    assert 'proxy_set_header Connection "";' in d and "proxy_http_version 1.1;" in d
    # a balancer is not an app host: no socket, no web UI files
    assert "unix:" not in text and "root " not in text and "set_real_ip_from" not in text


def test_local_ca_certificate_names(tls: Path) -> None:
    assert derived(tls, "app1")["sans"] == ["DNS:app1", "IP:192.0.2.21", "DNS:ella-backend"]
    assert derived(tls, "lb1")["sans"] == ["DNS:lb1", "IP:192.0.2.5", "DNS:ella-backend"]


def test_the_ca_is_on_the_balancer_and_every_nginx_host_needs_it(tls: Path) -> None:
    for host in ("app1", "app2", "lb1"):
        got = derived(tls, host)
        assert got["ca_host"] == "lb1", host
        assert got["local"] and got["ca_needed"], host


# --- all-in-one inventory (no ella_balancer group) ----------------------------------------------------------


def test_all_in_one_keeps_its_ca_and_trusts_no_forwarded_for(aio: Path) -> None:
    assert derived(aio, "aio")["ca_host"] == "aio"
    d = lines(site(aio, "aio"))
    assert "listen 3114 ssl http2 default_server;" in d
    assert "proxy_pass http://ella_api;" in d
    assert not any(x.startswith(("set_real_ip_from", "real_ip_header")) for x in d)
    assert not any(x.startswith("return 301") for x in d)  # ella_nginx_http_port 0: no port-80 server


# --- plain HTTP only on request -------------------------------------------------------------------------------


def test_plain_http_when_tls_is_switched_off(plain: Path) -> None:
    for host in ("app1", "lb1"):
        text = site(plain, host)
        d = lines(text)
        assert "listen 3114 default_server;" in d, host
        assert "ssl" not in text and "Strict-Transport-Security" not in text, host
        assert "return 301" not in text and "error_page 497" not in text, host
        assert text.count("server {") == 1, host
        assert not derived(plain, host)["ca_needed"], host
    assert "proxy_pass http://ella_backends;" in lines(site(plain, "lb1"))


def test_tls_is_the_default() -> None:
    d = defaults("ella_nginx")
    assert d["ella_nginx_tls"] is True
    assert d["ella_nginx_mode"] == "app"
    assert d["ella_nginx_http_port"] == 80
    assert d["ella_nginx_tls_protocols"].split() == ["TLSv1.2", "TLSv1.3"]
    spec = load_yaml(ROLE / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert spec["ella_nginx_mode"]["choices"] == ["app", "balancer"]


# --- settings ------------------------------------------------------------------------------------------------


def test_settings_reach_the_site(custom: Path) -> None:
    app = lines(site(custom, "app1"))
    assert "listen 443 ssl http2 default_server;" in app
    assert "server_name ella.example.org;" in app
    assert "set_real_ip_from 10.1.0.0/24;" in app and "set_real_ip_from 192.0.2.5;" not in app
    assert not any("Strict-Transport-Security" in x for x in app)  # hsts 0
    assert "return 301 https://$host$request_uri;" in app  # port 443: no port in the redirect
    lb = site(custom, "lb1")
    upstream = lines(lb.split("upstream ella_backends {")[1].split("}")[0])
    assert upstream[:2] == [
        "server 10.0.0.1:8443 max_fails=3 fail_timeout=30s;",
        "server 10.0.0.2:8443 max_fails=3 fail_timeout=30s;",
    ]
    assert "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;" in lines(lb)
    assert derived(custom, "app1")["sans"] == [
        "DNS:app1",
        "IP:192.0.2.21",
        "DNS:ella.example.org",
        "DNS:ella-backend",
        "DNS:ella-alias.example.org",
        "IP:198.51.100.7",
    ]


# --- nginx -t on the rendered sites ---------------------------------------------------------------------------


def _throwaway_tls(dir_: Path) -> None:
    dir_.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(dir_ / "ella.key"), "-out", str(dir_ / "ella.crt"), "-days", "1", "-subj", "/CN=t"],
        check=True, capture_output=True,
    )  # fmt: skip
    shutil.copy(dir_ / "ella.crt", dir_ / "ella-ca.crt")


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None, reason="no nginx here")
@pytest.mark.parametrize("variant", ["tls", "plain", "aio", "custom"])
def test_nginx_accepts_the_rendered_sites(request: pytest.FixtureRequest, tmp_path: Path, variant: str) -> None:
    out: Path = request.getfixturevalue(variant)
    tls_dir = tmp_path / "tls"
    _throwaway_tls(tls_dir)
    for conf in sorted(out.glob("*.conf")):
        text = conf.read_text().replace("/etc/nginx/ella-tls/", f"{tls_dir}/")
        text = text.replace("/etc/ssl/certs/ca-certificates.crt", f"{tls_dir}/ella-ca.crt")
        (tmp_path / conf.name).write_text(text)
        proc = subprocess.run([str(CHECK_SITE), str(tmp_path / conf.name)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{variant}/{conf.name}: {proc.stderr}"


# --- tasks and playbook ---------------------------------------------------------------------------------------


def _tasks(name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for t in items:
            found.append(t)
            walk(t.get("block", []))

    walk(load_yaml(ROLE / "tasks" / name))
    return found


def test_keys_are_root_only_and_never_logged() -> None:
    keys = [
        t for name in ("ca.yml", "tls-local.yml") for t in _tasks(name) if "community.crypto.openssl_privatekey" in t
    ]
    assert len(keys) == 2
    for t in keys:
        mod = t["community.crypto.openssl_privatekey"]
        assert mod["mode"] == "0600" and mod["owner"] == "root", t["name"]
        assert "return_content" not in mod, t["name"]
    site_key = next(t for t in _tasks("tls-site.yml") if "key" in t["name"])
    assert site_key["ansible.builtin.copy"]["mode"] == "0600" and site_key["no_log"] is True
    ca_dir = next(t for t in _tasks("ca.yml") if t["name"].startswith("CA directory"))
    assert ca_dir["ansible.builtin.file"]["mode"] == "0700"


def test_certificates_are_signed_on_the_ca_host_only() -> None:
    sign = next(t for t in _tasks("tls-local.yml") if "community.crypto.x509_certificate_pipe" in t)
    assert sign["delegate_to"] == "{{ ella_nginx_ca_host }}"
    assert sign["community.crypto.x509_certificate_pipe"]["provider"] == "ownca"
    ca_block = next(t for t in load_yaml(ROLE / "tasks" / "ca.yml") if "block" in t)
    assert ca_block["run_once"] is True and ca_block["delegate_to"] == "{{ ella_nginx_ca_host }}"


def test_site_file_is_checked_before_it_is_written() -> None:
    write = next(t for t in _tasks("main.yml") if "ansible.builtin.template" in t)
    assert write["ansible.builtin.template"]["validate"] == "/usr/local/libexec/ella-nginx-check-site %s"
    assert write["notify"] == "ella_nginx reload"


def test_proxy_playbook_has_an_app_play_and_a_balancer_play() -> None:
    plays = load_yaml(ROOT / "playbooks" / "proxy.yml")
    assert [p["hosts"] for p in plays] == ["ella_proxy", "ella_balancer"]
    assert plays[0]["vars"]["ella_nginx_mode"] == "app"
    assert plays[1]["vars"]["ella_nginx_mode"] == "balancer"
    for play in plays:
        assert play["become"] is True
        assert [r["role"] for r in play["roles"]] == ["ella_nginx"]


# --- browser security headers and the login throttle (issue 12, defects 4 and 5) -----------------------------


@pytest.mark.parametrize("host", ["app1", "lb1"])
def test_security_headers_and_login_throttle(tls: Path, host: str) -> None:
    text = site(tls, host)
    d = lines(text)
    for header in ("Content-Security-Policy $ella_csp", "X-Content-Type-Options $ella_nosniff",
                   "Referrer-Policy $ella_referrer_policy", "X-Frame-Options $ella_frame_options"):  # fmt: skip
        assert f"add_header {header} always;" in d, header
    assert "limit_req_zone $binary_remote_addr zone=ella_login:10m rate=30r/m;" in d
    assert "location ~ ^/api/v1/users/actions/(login|changepassword)/$ {" in d
    assert "limit_req zone=ella_login burst=20 nodelay;" in d
    assert "limit_req_status 429;" in d and "error_page 429 = @ella_throttled;" in d
    assert "location = /api/v1/ui/exceptionlog/ {" in d  # error reports of the UI: a budget per client too
    assert "limit_req zone=ella_uierrors burst=20 nodelay;" in d
    assert "proxy_set_header X-Forwarded-Host $http_host;" in d  # the Origin check compares with it
    # an add_header inside a location would drop all the server's headers there (nginx inheritance)
    depth, in_location = 0, []
    for line in d:
        if line.startswith("location"):
            in_location.append(depth)
        if line.startswith("add_header") and in_location:
            pytest.fail(f"{host}: add_header inside a location: {line}")
        depth += line.count("{") - line.count("}")
        while in_location and depth <= in_location[-1]:
            in_location.pop()
