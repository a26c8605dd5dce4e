#!/usr/bin/env python3
"""Writes corpus.txt: labelled documents for the redaction precision/recall tests and the bench.

Documents are separated by a line holding only '====='. A labelled span is written
[[Type|value]]; everything else is unlabelled text (hard negatives included). Values that must
validate (Luhn, mod-97, checksums) are generated here with a fixed seed so the corpus is stable.
Run: python3 generate_corpus.py > corpus.txt   (python3 generate_corpus.py SEED > other.txt for a held-out variant)
"""
import base64, hashlib, json, random, string, zlib

import sys
# A different seed (first argument) gives a held-out variant of the same corpus.
rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 20261122)
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
B64 = string.ascii_letters + string.digits + "+/"
URLSAFE = string.ascii_letters + string.digits + "-_"

def L(t, v): return f"[[{t}|{v}]]"
def rs(alphabet, n): return "".join(rnd.choice(alphabet) for _ in range(n))

def luhn_complete(prefix, length):
    body = prefix + "".join(rnd.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for d in string.digits:
        s = body + d; tot = 0
        for i, ch in enumerate(reversed(s)):
            x = int(ch)
            if i % 2 == 1:
                x *= 2
                if x > 9: x -= 9
            tot += x
        if tot % 10 == 0: return s
def luhn_ok(s):
    tot = 0
    for i, ch in enumerate(reversed(s)):
        x = int(ch)
        if i % 2 == 1:
            x *= 2
            if x > 9: x -= 9
        tot += x
    return tot % 10 == 0
def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes: out.append(s[i:i+n]); i += n
    return sep.join(out)
def fullwidth(s): return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)

def card():
    kind = rnd.choice(["visa", "mc", "mc2", "amex", "disc", "jcb", "diners", "unionpay", "visa19"])
    if kind == "visa": n = luhn_complete("4" + rs(string.digits, 1), 16); sizes = [4,4,4,4]
    elif kind == "mc": n = luhn_complete(str(rnd.randint(51,55)), 16); sizes = [4,4,4,4]
    elif kind == "mc2": n = luhn_complete(str(rnd.randint(2221,2720)), 16); sizes = [4,4,4,4]
    elif kind == "amex": n = luhn_complete(rnd.choice(["34","37"]), 15); sizes = [4,6,5]
    elif kind == "disc": n = luhn_complete("6011", 16); sizes = [4,4,4,4]
    elif kind == "jcb": n = luhn_complete(str(rnd.randint(3528,3589)), 16); sizes = [4,4,4,4]
    elif kind == "diners": n = luhn_complete(rnd.choice(["36","38"]), 14); sizes = [4,6,4]
    elif kind == "unionpay": n = luhn_complete("62" + rs(string.digits, 2), 16); sizes = [4,4,4,4]
    else: n = luhn_complete("4" + rs(string.digits, 2), 19); sizes = [4,4,4,4,3]
    fmt = rnd.choice(["plain", "space", "dash"])
    return n if fmt == "plain" else group(n, sizes, " " if fmt == "space" else "-")

def ssn():
    while True:
        a = rnd.randint(1, 899)
        if a != 666: break
    return f"{a:03d}", f"{rnd.randint(1,99):02d}", f"{rnd.randint(1,9999):04d}"
def itin():
    g = rnd.choice(list(range(50,66)) + list(range(70,89)) + [90,91,92] + list(range(94,100)))
    return f"9{rnd.randint(0,99):02d}", f"{g:02d}", f"{rnd.randint(1,9999):04d}"

IBAN_SPECS = {"DE": lambda: rs(string.digits, 18), "GB": lambda: rs(string.ascii_uppercase, 4) + rs(string.digits, 14),
              "FR": lambda: rs(string.digits, 23), "NL": lambda: rs(string.ascii_uppercase, 4) + rs(string.digits, 10),
              "ES": lambda: rs(string.digits, 20), "IT": lambda: rs(string.ascii_uppercase, 1) + rs(string.digits, 22),
              "CH": lambda: rs(string.digits, 17), "BE": lambda: rs(string.digits, 12), "PL": lambda: rs(string.digits, 24)}
def iban_num(s): return int("".join(str(int(c, 36)) for c in s))
def iban(good=True):
    cc = rnd.choice(list(IBAN_SPECS)); bban = IBAN_SPECS[cc]()
    chk = 98 - iban_num(bban + cc + "00") % 97
    if not good: chk = (chk + rnd.randint(1, 50)) % 97 + 2
    s = f"{cc}{chk:02d}{bban}"
    return s if rnd.random() < 0.4 else " ".join(s[i:i+4] for i in range(0, len(s), 4))

def b58(b):
    n = int.from_bytes(b, "big"); out = ""
    A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    while n: n, r = divmod(n, 58); out = A[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + out
def btc(good=True):
    payload = bytes([rnd.choice([0, 5])]) + bytes(rnd.getrandbits(8) for _ in range(20))
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    if not good: chk = bytes([chk[0] ^ 1]) + chk[1:]
    return b58(payload + chk)
CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
def polymod(values):
    G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]; chk = 1
    for v in values:
        b = chk >> 25; chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5): chk ^= G[i] if ((b >> i) & 1) else 0
    return chk
def bech32(good=True):
    hrp = "bc"; data = [0] + [rnd.randrange(32) for _ in range(32)]
    const = 1
    vals = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + data
    pm = polymod(vals + [0]*6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    if not good: chk[-1] ^= 1
    return hrp + "1" + "".join(CH[d] for d in data + chk)
ETH_GOOD = ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]

def github(good=True):
    ent = rs(B62, 30); c = zlib.crc32(ent.encode()) & 0xffffffff
    if not good: c ^= 0x55
    out = ""
    for _ in range(6): c, r = divmod(c, 62); out = B62[r] + out
    return rnd.choice(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + ent + out
def b64url(d): return base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).decode().rstrip("=")
def jwt():
    h = b64url({"alg": rnd.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    p = b64url({"sub": rs(string.digits, 8), "name": rnd.choice(["Ana", "Ben", "Chen"]), "iat": 1716239022, "exp": 1716242622})
    return f"{h}.{p}.{rs(URLSAFE, 43)}"
def pem(kind, lines=12, terminated=True):
    body = "\n".join(rs(B64, 64) for _ in range(lines)) + "\n" + rs(B64, 20) + "=="
    block = f"-----BEGIN {kind}-----\n{body}"
    return block + (f"\n-----END {kind}-----" if terminated else "")
def putty():
    pub = "\n".join(rs(B64, 64) for _ in range(2)); prv = "\n".join(rs(B64, 64) for _ in range(4))
    return (f"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: deploy@build01\nPublic-Lines: 2\n{pub}\n"
            f"Private-Lines: 4\n{prv}\nPrivate-MAC: {rs('0123456789abcdef', 64)}")
def password():
    return rnd.choice(["Tr0ub4dor&3", "hunter2!x", "P@ssw0rd-2024!", "Zq8#mW2!rT", "s3cr3t-Blue-Falcon", "correct-h0rse-battery", "N0v3mber#Rain", "x7Kq9vL2pZ"]) + rs(string.digits, 2)

NAMES = ["maria.gonzalez", "j.smith", "priya.natarajan", "tom_baker", "l.chen", "ops-team", "a.okafor", "k.yamamoto"]
DOMAINS = ["contoso-mail.com", "gmail.com", "fabrikam.co.uk", "northwind.io", "acme-corp.com", "outlook.com", "uni-hamburg.de"]

docs = []
def doc(*parts): docs.append("".join(parts))

# ---------- payment cards ----------
card_templates = [
    "The customer's card number is {v}, expiring 09/27.",
    "Refund issued to the Visa card {v} on file.",
    "Payment failed for card {v} (CVV mismatch).",
    "I found this line in the log: `charge ok pan={v}`.",
    "Card: {v}\nExp: 11/26\nName: M. Gonzalez",
    "Please update the billing card ending in the digits below: {v}.",
    "The row reads: {v}, Maria Gonzalez, approved.",
    "Saved payment method {v} was declined.",
]
for i in range(48):
    v = card()
    if i % 12 == 5: v = fullwidth(v)
    if i % 12 == 7 and " " not in v and "-" not in v and not v.startswith("\uff10"): v = v[:4] + "\u200b" + v[4:]
    doc(rnd.choice(card_templates).format(v=L("CreditCard", v)))
# card hard negatives
for _ in range(12):
    n = luhn_complete("4" + rs(string.digits, 3), 16)
    doc(f"Order number {n} shipped yesterday; invoice {luhn_complete('5', 16)} is attached.")
for _ in range(8):
    imei = luhn_complete(rnd.choice(["35", "86", "01"]) + rs(string.digits, 6), 15)
    doc(f"Device IMEI: {imei}. Serial {rs(string.digits, 16)}.")
for _ in range(6):
    doc(f"Event at {rnd.randint(1600000000000, 1799999999999)} ms (unix epoch), logged at 2024-03-0{rnd.randint(1,9)}T10:15:00Z.")
doc("Test with 4111 1111 1111 1111 or 4242 4242 4242 4242; Stripe also accepts 5555 5555 5555 4444 and 378282246310005.")
doc("ISBN 978-3-16-148410-0 (or 9783161484100) and ISBN 979-10-90636-07-1 are cited in the references.")
doc("Ship to Redmond, WA 98052-6399. Tracking: 1Z999AA10123456784. FedEx 7712 3456 7890.")
doc("Upgrade to 10.0.19045.3803, then to build 22631.2861; SDK 8.0.404 is fine.")
doc("Timestamps: 20240115093045, 20231231235959 and 1700000000000.")
for _ in range(6):
    n = luhn_complete("4", 16)
    bad = n[:-1] + str((int(n[-1]) + 3) % 10)
    doc(f"The reference {bad} does not pass validation; nor does {rs(string.digits, 16)} necessarily.")

# ---------- SSN / ITIN ----------
ssn_t = ["Employee SSN: {v}.", "Her social security number is {v}.", "SSN {v} was found in the HR export.",
         "W-2 lists the SSN as {v}.", "Verify the applicant (SSN {v}) before onboarding."]
for i in range(30):
    a, g, s = ssn()
    v = f"{a}-{g}-{s}" if i % 5 else f"{a} {g} {s}"
    doc(rnd.choice(ssn_t).format(v=L("SSN", v)))
for i in range(6):
    a, g, s = ssn()
    doc(f"social security number: {L('SSN', a + g + s)}")
for i in range(15):
    a, g, s = itin()
    doc(rnd.choice(["ITIN {v} is on the 1040.", "Taxpayer ITIN: {v}", "The ITIN {v} was issued in March."]).format(v=L("ITIN", f"{a}-{g}-{s}")))
doc("Invalid examples: 000-12-3456, 666-45-1234, 123-00-4567, 123-45-0000 and 912-34-5678.")
doc("The sample SSN 123-45-6789 is a placeholder used in documentation.")
doc(f"Call {L('Phone', '555-123-4567')} or {L('Phone', '425-555-0199')} about order 123456789. ZIP+4: 20500-0003.")
doc("Part 123-45-6789 ships with model 417-22-9911. Ticket 219-55-1234 is open.")
doc("Dates such as 2024-01-15 and 15-01-2024 are not ids; neither is build 20240115.")

# ---------- IBAN ----------
iban_t = ["Please wire the amount to IBAN {v}.", "Beneficiary account: {v} (BIC DEUTDEFF).", "IBAN: {v}",
          "Their bank details are {v}, reference INV-2291.", "Transfer 1,200 EUR to {v} by Friday."]
for _ in range(30):
    doc(rnd.choice(iban_t).format(v=L("IBAN", iban(True))))
for _ in range(10):
    doc(f"The IBAN {iban(False)} fails its check digits and was rejected.")
doc("SWIFT codes like DEUTDEFF500 and NWBKGB2L are not account numbers.")
doc("Request id DE42ABCDEF0123456789XYZ and GB00 TEST 0000 0000 0000 00 are not valid IBANs.")

# ---------- email ----------
email_t = ["Contact {v} for access.", "I emailed {v} yesterday.", "Owner: {v}", "cc: {v}; bcc: none",
           "Send the report to <{v}> by noon."]
for _ in range(30):
    doc(rnd.choice(email_t).format(v=L("Email", f"{rnd.choice(NAMES)}@{rnd.choice(DOMAINS)}")))
doc("Use user@example.com or admin@example.org in docs; test@foo.test is reserved too.")
doc("Retina assets: icon@2x.png and logo@3x.svg. Install lodash@4.17.21 and @types/node.")
doc("Mention @maria-gonzalez in the PR, or write to maria at contoso dot com.")

# ---------- phone ----------
phone_plus = ["+14155550132", "+44 20 7946 0958", "+49 30 901820", "+1 (415) 555-0132", "+33 1 42 68 53 00",
              "+61 2 9374 4000", "+81 3-3224-9999", "+91 98765 43210", "+1 212 555 0198", "+353 1 555 0142"]
for v in phone_plus:
    doc(rnd.choice(["Reach me at {v}.", "Phone: {v}", "Our support line is {v} (24/7).", "Dial {v} from abroad."]).format(v=L("Phone", v)))
for _ in range(14):
    v = f"{rnd.randint(201,989)}-{rnd.randint(201,989)}-{rnd.randint(1000,9999)}"
    doc(rnd.choice(["Call me at {v} after 5pm.", "Mobile: {v}", "Tel. {v}", "Her cell is {v}."]).format(v=L("Phone", v)))
for _ in range(6):
    v = f"({rnd.randint(201,989)}) {rnd.randint(201,989)}-{rnd.randint(1000,9999)}"
    doc(f"The front desk number is {L('Phone', v)}.")
doc("Version 2.4.1 shipped on 2024-01-15 at 10:30:45; build 1.22.333 follows.")
doc("Ticket 4471-2209 and batch 2024 118 3344 were merged; see PR 12345.")
doc("The ratio 3.14159 and the range 100-200-300 are just numbers.")

# ---------- IP ----------
ip4 = ["10.0.12.34", "192.168.1.20", "172.16.4.10", "34.117.59.81", "52.94.236.248", "10.200.3.7", "8.8.4.4", "100.64.1.9", "185.199.108.153", "151.101.1.69"]
ip6 = ["2606:4700:4700::1111", "fe80::1ff:fe23:4567:890a", "2a00:1450:4001:81b::200e", "2620:fe::fe:9", "fd12:3456:789a:1::1"]
for v in ip4 + ip6:
    doc(rnd.choice(["The server at {v} refused the connection.", "Allow {v} in the firewall.", "Host {v} is the primary.",
                    "SSH to {v} and restart nginx."]).format(v=L("IPAddress", v)))
doc("Bind to 127.0.0.1 or 0.0.0.0; ::1 is loopback; 192.0.2.10 and 2001:db8::1 are documentation addresses.")
doc("Upgrade to version 10.0.19041.1 and v1.2.3.4; OID 1.3.6.1.4.1.311 is Microsoft's arc.")
doc("The meeting is at 12:30:45 UTC; MAC 00:1A:2B:3C:4D:5E; C++ uses std::vector and Foo::Bar.")
doc("Semantic versions 1.2.3 and 4.10.0, and the float 3.14159, are not addresses.")

# ---------- wallets ----------
for _ in range(14):
    doc(rnd.choice(["Send the BTC to {v}.", "My wallet address: {v}", "Donations: {v}"]).format(v=L("CryptoWallet", btc(True))))
for _ in range(8):
    doc(rnd.choice(["Segwit address {v} received 0.1 BTC.", "Use {v} for the payout."]).format(v=L("CryptoWallet", bech32(True))))
for v in ETH_GOOD:
    doc(f"ETH deposit address: {L('CryptoWallet', v)}")
for _ in range(4):
    doc(f"Send USDC to wallet {L('CryptoWallet', '0x' + rs('0123456789abcdef', 40))} on mainnet.")
for _ in range(6):
    doc(f"Typo'd address {btc(False)} fails its checksum; so does {bech32(False)}.")
doc(f"Tx hash 0x{rs('0123456789abcdef', 64)} confirmed. Commit {rs('0123456789abcdef', 40)} fixed it.")
doc("The mixed-case 0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed has a bad checksum.")
doc("Base58-looking words like 1BoatSLRHtKNngkdXEeobR76b53LETtpyZ appear in tutorials with broken checksums.")

# ---------- credentials ----------
cred = []
cred.append(("AnthropicApiKey", lambda: "sk-ant-api03-" + rs(URLSAFE, 93) + "AA"))
cred.append(("AnthropicAdminKey", lambda: "sk-ant-admin01-" + rs(URLSAFE, 93) + "AA"))
cred.append(("OpenAIKey", lambda: "sk-proj-" + rs(URLSAFE, 156)))
cred.append(("AwsAccessKeyId", lambda: "AKIA" + rs(string.ascii_uppercase + "234567", 16)))
cred.append(("GitHubToken", lambda: github(True)))
cred.append(("GitHubToken", lambda: "github_pat_" + rs(B62, 22) + "_" + rs(B62, 59)))
cred.append(("GitLabToken", lambda: "glpat-" + rs(URLSAFE, 20)))
cred.append(("SlackToken", lambda: f"xoxb-{rs(string.digits, 12)}-{rs(string.digits, 13)}-{rs(B62, 24)}"))
cred.append(("StripeKey", lambda: "sk_live_" + rs(B62, 99)))
cred.append(("StripeKey", lambda: "rk_live_" + rs(B62, 24)))
cred.append(("GoogleApiKey", lambda: "AIza" + rs(URLSAFE, 35)))
cred.append(("JWT", jwt))
cred_t = ["Here is the key you pasted: {v}", "export TOKEN={v}", "The config contains `{v}` in plain text.",
          "Rotate {v} immediately.", "\"credential\": \"{v}\"", "I noticed {v} in the screenshot."]
for t, gen in cred:
    for _ in range(8 if t not in ("GitHubToken", "StripeKey") else 5):
        doc(rnd.choice(cred_t).format(v=L(t, gen())))
for _ in range(8):
    doc(f"aws_secret_access_key = {L('AwsSecretKey', rs(B64, 40))}\naws_access_key_id = {L('AwsAccessKeyId', 'AKIA' + rs(string.ascii_uppercase + '234567', 16))}")
for _ in range(4):
    doc(f"The AWS secret access key is {L('AwsSecretKey', rs(B64, 40))} - rotate it.")
for _ in range(8):
    key = rs(B64, 86) + "=="
    doc(f"DefaultEndpointsProtocol=https;AccountName=stprod{rs(string.digits, 3)};AccountKey={L('AzureKey', key)};EndpointSuffix=core.windows.net")
for _ in range(4):
    doc(f"Endpoint=sb://bus-prod.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={L('AzureKey', rs(B64, 43) + '=')}")
for kind in ["RSA PRIVATE KEY", "PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]:
    doc("Here is the key from the server:\n\n" + L("PrivateKey", pem(kind)) + "\n\nStore it in a vault.")
for kind in ["RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY"]:
    doc("The file was cut off:\n" + L("PrivateKey", pem(kind, 6, terminated=False)) + "\n\nPlease resend the rest of it.")
for _ in range(3):
    doc("PuTTY key:\n" + L("PrivateKey", putty()) + "\nConvert it with puttygen.")
for _ in range(8):
    pw = rs(string.ascii_letters + string.digits, 14)
    doc(rnd.choice(["DATABASE_URL=postgres://app:{v}@db.internal:5432/app", "Connect with mongodb+srv://admin:{v}@cluster0.mongodb.net/prod",
                    "git clone https://deploy:{v}@git.contoso-mail.com/team/repo.git"]).format(v=L("UrlCredential", pw)))
for _ in range(8):
    tok = rs(B62 + "-._~", 40)
    doc(rnd.choice(["curl -H 'Authorization: Bearer {v}' https://api.northwind.io/v1/me", "Authorization: Basic {v}", "x-api-key: {v}"]).format(v=L("AuthorizationHeader", tok)))
for _ in range(12):
    doc(rnd.choice(["password = \"{v}\"", "DB_PASSWORD={v}", "\"client_secret\": \"{v}\",", "smtp_pass: {v}", "api_key='{v}'",
                    "The admin password: {v}"]).format(v=L("Secret", password() if rnd.random() < 0.6 else rs(string.ascii_letters + string.digits, 24))))
# credential hard negatives
doc("Set ANTHROPIC_API_KEY to your key (it looks like sk-ant-xxxx...) and never commit it.")
doc("Example: sk-ant-api03-your-key-here, sk-proj-... and sk_live_xxxxxxxxxxxxxxxxxxxxxxxx are placeholders.")
doc("AWS docs use AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.")
doc(f"A token with a wrong checksum: {github(False)}; placeholder ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.")
doc("password = os.environ['DB_PASSWORD']\npassword: ********\ntoken: <YOUR_TOKEN>\nAuthorization: Bearer $TOKEN")
doc("Authorization: Bearer YOUR_ACCESS_TOKEN\napi_key = 'your-api-key-here'\npassword=changeme\nsecret = get_secret()")
doc("max_tokens: 1024\ninput_tokens: 5120\ntoken_count: 512\nThe secret to good soup is patience.")
doc("Use a password manager. The token is refreshed hourly. Keep your API key secret.")
doc("postgres://user:password@localhost:5432/db and https://admin:${DB_PASS}@host are templates.")
doc("-----BEGIN PUBLIC KEY-----\n" + "\n".join(rs(B64, 64) for _ in range(4)) + "\n-----END PUBLIC KEY-----")
doc("-----BEGIN CERTIFICATE-----\n" + "\n".join(rs(B64, 64) for _ in range(6)) + "\n-----END CERTIFICATE-----")
doc("A file starts with -----BEGIN RSA PRIVATE KEY----- and ends with the matching END line.")
doc("eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl is base64 JSON without an alg header.")
doc(f"Publishable keys like pk_live_{rs(B62, 24)} are meant for browsers.")
doc("The field `password_hash` stores bcrypt output; `pass: 3` means three passes.")

# ---------- mixed LLM-style answers ----------
for _ in range(10):
    a, g, s = ssn()
    doc("Sure! Here's a summary of the ticket:\n\n"
        f"- **Customer:** Maria Gonzalez ({L('Email', rnd.choice(NAMES) + '@' + rnd.choice(DOMAINS))})\n"
        f"- **Card on file:** {L('CreditCard', card())}\n"
        f"- **SSN:** {L('SSN', a + '-' + g + '-' + s)}\n"
        f"- **Order:** #{rnd.randint(100000, 999999)} placed 2024-05-{rnd.randint(10,28)}\n"
        f"- **Server:** {L('IPAddress', '10.%d.%d.%d' % (rnd.randint(0,255), rnd.randint(0,255), rnd.randint(1,254)))}\n\n"
        "Let me know if you need anything else, e.g. a refund of $1,249.99 (version 3.2.1 of the policy applies).")


# =====================================================================================
# Issue 24: the shapes real data holds. Same seed stream, appended, so the sections above stay as they were.
# =====================================================================================
U = string.ascii_uppercase
D = string.digits

def digits(n): return rs(D, n)

# ---------- national ids outside the US (the International profile) ----------
NINO_FIRST = [c for c in U if c not in "DFIQUV"]
NINO_SECOND = [c for c in U if c not in "DFIOQUV"]
def nino():
    while True:
        p = rnd.choice(NINO_FIRST) + rnd.choice(NINO_SECOND)
        if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"): break
    d = digits(6); suf = rnd.choice("ABCD")
    return rnd.choice([f"{p}{d}{suf}", f"{p} {d[:2]} {d[2:4]} {d[4:]} {suf}", f"{p}-{d[:2]}-{d[2:4]}-{d[4:]}-{suf}"])
def nhs():
    while True:
        d = digits(9); c = 11 - sum(int(x) * w for x, w in zip(d, range(10, 1, -1))) % 11
        if c == 11: c = 0
        if c != 10: break
    n = d + str(c)
    return rnd.choice([n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"])
def sin():
    while True:
        n = luhn_complete(rnd.choice("12345679"), 9)
        if n: break
    return rnd.choice([n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"])
TFN9 = [1, 4, 3, 7, 5, 8, 6, 9, 10]
def tfn():
    while True:
        d = digits(9)
        if sum(int(x) * w for x, w in zip(d, TFN9)) % 11 == 0: break
    return rnd.choice([d, f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}"])
def medicare():
    b = rnd.choice("23456") + digits(7)
    chk = sum(int(x) * w for x, w in zip(b, [1, 3, 7, 9, 1, 3, 7, 9])) % 10
    issue = rnd.choice("123456789")
    n = b + str(chk) + issue
    return rnd.choice([n, f"{n[:4]} {n[4:9]} {n[9]}", f"{n[:4]} {n[4:9]} {n[9]}/{rnd.randint(1,5)}"])
VD = [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],[4,0,1,2,3,9,5,6,7,8],
      [5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],[8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]]
VP = [[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],[9,4,5,3,1,2,6,8,7,0],
      [4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]]
def verhoeff_ok(n):
    c = 0
    for i, ch in enumerate(reversed(n)): c = VD[c][VP[i % 8][int(ch)]]
    return c == 0
assert verhoeff_ok("2363")
def aadhaar(good=True):
    b = rnd.choice("23456789") + digits(10)
    for x in D:
        if verhoeff_ok(b + x) == good: n = b + x; break
    return n
def aadhaar_fmt(n): return rnd.choice([f"{n[:4]} {n[4:8]} {n[8:]}", n, f"{n[:4]}-{n[4:8]}-{n[8:]}"])
def pan(): return rs(U, 3) + rnd.choice("PPPPCHFT") + rs(U, 1) + digits(4) + rs(U, 1)
DNI = "TRWAGMYFPDXBNJZSQVHLCKE"
def dni():
    if rnd.random() < 0.3:
        p = rnd.choice("XYZ"); d = digits(7); letter = DNI[int("XYZ".index(p).__str__() + d) % 23]
        return rnd.choice([f"{p}{d}{letter}", f"{p}-{d}-{letter}"])
    d = digits(8); letter = DNI[int(d) % 23]
    return rnd.choice([f"{d}{letter}", f"{d}-{letter}", f"{d[:2]}.{d[2:5]}.{d[5:]}-{letter}"])
CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
def cf_val(ch): return int(ch) if ch.isdigit() else ord(ch) - 65
def codice_fiscale(good=True):
    body = rs(U, 6) + digits(2) + rnd.choice("ABCDEHLMPRST") + f"{rnd.choice([rnd.randint(1,31), rnd.randint(41,71)]):02d}" + rs(U, 1) + digits(3)
    tot = sum(CF_ODD[cf_val(ch)] if i % 2 == 0 else cf_val(ch) for i, ch in enumerate(body))
    chk = chr(65 + tot % 26)
    if not good: chk = chr(65 + (tot + 7) % 26)
    return body + chk
assert codice_fiscale.__name__
def cf_check(s):
    tot = sum(CF_ODD[cf_val(ch)] if i % 2 == 0 else cf_val(ch) for i, ch in enumerate(s[:15]))
    return chr(65 + tot % 26) == s[15]
assert cf_check("RSSMRA85T10A562S")
def nric(good=True):
    p = rnd.choice("STFGM"); d = digits(7)
    tot = sum(int(x) * w for x, w in zip(d, [2, 7, 6, 5, 4, 3, 2]))
    if p == "S": ch = "JZIHGFEDCBA"[tot % 11]
    elif p == "T": ch = "JZIHGFEDCBA"[(tot + 4) % 11]
    elif p == "F": ch = "XWUTRQPNMLK"[tot % 11]
    elif p == "G": ch = "XWUTRQPNMLK"[(tot + 4) % 11]
    else: ch = "KLJNPQRTUWX"[10 - (tot + 3) % 11]
    if not good: ch = "A" if ch != "A" else "B"
    return p + d + ch
def nir():
    sex = rnd.choice("12"); yy = digits(2); mm = f"{rnd.randint(1,12):02d}"
    dept = rnd.choice([f"{rnd.randint(1,95):02d}", "2A", "2B"]); com = digits(3); order = digits(3)
    body = sex + yy + mm + dept + com + order
    num = int(body.replace("2A", "19").replace("2B", "18")) if dept in ("2A", "2B") else int(body)
    key = f"{97 - num % 97:02d}"
    return rnd.choice([body + key, f"{sex} {yy} {mm} {dept} {com} {order} {key}"])
def cpf():
    while True:
        d = [int(x) for x in digits(9)]
        if len(set(d)) > 1: break
    for k in (9, 10):
        tot = sum(x * (k + 1 - i) for i, x in enumerate(d)); d.append(tot * 10 % 11 % 10)
    n = "".join(map(str, d))
    return rnd.choice([f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}", f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}", n])

intl = [
    ("UkNino", nino, ["National Insurance number: {v}", "NI No. {v}", "Her NINO is {v}.", "employee {v} (NI)", "P60 shows {v} for the tax year."]),
    ("UkNhsNumber", nhs, ["NHS number: {v}", "Patient NHS No {v}, ward 7.", "nhs_number={v}", "The NHS number {v} was verified."]),
    ("CaSin", sin, ["SIN: {v}", "Social Insurance Number {v} on the T4.", "Employee SIN {v} must be kept private.", "NAS : {v}"]),
    ("AuTfn", tfn, ["TFN: {v}", "Tax file number {v} was quoted.", "Please supply your TFN {v} to payroll.", "tfn={v}"]),
    ("AuMedicare", medicare, ["Medicare card {v}", "Medicare number: {v}", "Claim under Medicare {v} for the visit."]),
    ("InAadhaar", lambda: aadhaar_fmt(aadhaar()), ["Aadhaar: {v}", "Aadhaar number {v} linked to the account.", "UID {v} verified via OTP.", "aadhaar_no = {v}"]),
    ("InPan", pan, ["PAN: {v}", "Income tax PAN {v} was updated.", "Form 16 lists {v} as the employee's PAN.", "pan={v}"]),
    ("EsDni", dni, ["DNI: {v}", "NIE {v} del titular.", "Documento {v}, expedido en Madrid.", "El cliente con DNI {v} firmó el contrato."]),
    ("ItFiscalCode", codice_fiscale, ["Codice fiscale: {v}", "CF {v}", "Il codice fiscale del dipendente è {v}.", "cf={v}"]),
    ("SgNric", nric, ["NRIC: {v}", "FIN {v} for the work pass.", "Applicant {v} (NRIC) was approved.", "nric={v}"]),
    ("FrNir", nir, ["Numéro de sécurité sociale : {v}", "NIR {v}", "Carte Vitale {v} enregistrée.", "insee={v}"]),
    ("BrCpf", cpf, ["CPF: {v}", "O CPF {v} está regular.", "cliente cpf={v}", "Cadastro CPF {v} confirmado."]),
]
for t, gen, temps in intl:
    for _ in range(24):
        doc(rnd.choice(temps).format(v=L(t, gen())))
# national-id hard negatives: failed check digits, and shapes that need their word but lack it
for _ in range(6):
    doc(f"Reference {aadhaar_fmt(aadhaar(False))} and {codice_fiscale(False)} are not valid ids; nor is {nric(False)}.")
for _ in range(6):
    doc(f"Order {tfn().replace(' ', '').replace('-', '')} shipped; invoice {sin().replace(' ', '').replace('-', '')} was paid; batch {nhs().replace(' ', '').replace('-', '')} closed.")
for _ in range(4):
    doc(f"Build {aadhaar().__str__()} took 42 s; the cache key is {digits(12)}.")
doc("Tracking 1Z999AA10123456784, part no. ABCDE1234F and SKU AB123456 are product codes.")
doc("Korean business registration number 123-45-67890 and 220-81-62517 belong to companies.")
doc("Reference ABCDEF12G34H567I is a form id, and the sample NINO QQ 12 34 56 C is reserved for examples.")

# ---------- SSN and ITIN: bare nine digits in context, mixed separators ----------
for i in range(16):
    a, g, s = ssn()
    v = rnd.choice([a + g + s, f"{a}-{g} {s}", f"{a} {g}-{s}", f"{a}.{g}.{s}", f"{a}-{g}-{s}"])
    doc(rnd.choice(["SSN {v}", "Social Security No.: {v}", "ssn={v}", "the applicant's social security number, {v}, is on file",
                    "SSN# {v}", "TIN: {v}"]).format(v=L("SSN", v)))
for _ in range(6):
    a, g, s = ssn()
    doc(f"Order {a}{g}{s} and zip code {rnd.randint(10000,99999)}-{rnd.randint(1000,9999)} were entered; item {a}.{g}.{s} shipped.")

# ---------- phones: long groups, no keyword, extensions, trunk prefixes ----------
def nanp():
    while True:
        area = f"{rnd.randint(2,9)}{digits(2)}"
        if area[1:] != "11": return area, f"{rnd.randint(2,9)}{digits(2)}", digits(4)
phone_shapes = [
    lambda: "0%s %s" % (digits(3), digits(7)),
    lambda: "0%s %s %s" % (digits(2), digits(4), digits(4)),
    lambda: "+41 (0)%s %s %s %s" % (digits(2), digits(3), digits(2), digits(2)),
    lambda: "+44 (0)%s %s %s" % (digits(2), digits(4), digits(4)),
    lambda: "%s-%s-%s x%s" % (*nanp(), digits(3)),
    lambda: "(%s) %s-%s ext. %s" % (*nanp(), digits(2)),
    lambda: "%s.%s.%s" % nanp(),
    lambda: "%s-%s-%s" % nanp(),
    lambda: "1-%s-%s-%s" % nanp(),
    lambda: "+1-%s-%s-%s" % nanp(),
    lambda: "+49 %s %s" % (digits(3), digits(8)),
    lambda: "+33 %s %s %s %s %s" % (rnd.randint(1,9), digits(2), digits(2), digits(2), digits(2)),
    lambda: "+91-%s-%s" % (digits(5), digits(5)),
    lambda: "+86 %s %s %s" % (digits(3), digits(4), digits(4)),
]
for _ in range(60):
    v = rnd.choice(phone_shapes)()
    doc(rnd.choice(["Reach the office on {v}.", "{v} (front desk)", "Ana Silva, {v}, Lisbon", "Contact: {v}", "Leave a message at {v} after 6pm.",
                    "| Ana Silva | {v} | Sales |", "Cust. {v} asked for a callback."]).format(v=L("Phone", v)))
doc("Invoice 2024-118-3344 and order 415-555-01 ship together; build 10.0.22631.2861; ISBN 0-306-40615-2.")
doc("Release 2024.10.15 shipped at 14:30:45; ticket #4471-2209; sample rate 44100 Hz; port 8080-8090.")
doc("Ticket 800-123-4567 is a ticket id; order 212-555-0100 too.")

# ---------- IP addresses ----------
def pub4(): return f"{rnd.choice([34, 52, 81, 91, 104, 151, 185, 13, 20, 45])}.{rnd.randint(0,255)}.{rnd.randint(0,255)}.{rnd.randint(1,254)}"
def priv4(): return rnd.choice([f"10.{rnd.randint(0,255)}.{rnd.randint(0,255)}.{rnd.randint(1,254)}", f"192.168.{rnd.randint(0,255)}.{rnd.randint(1,254)}", f"172.{rnd.randint(16,31)}.{rnd.randint(0,255)}.{rnd.randint(1,254)}"])
def v6(): return rnd.choice([
    "2a00:1450:%x:%x::%x" % (rnd.randint(0x4000, 0x4fff), rnd.randint(0x800, 0x8ff), rnd.randint(1, 0xffff)),
    "2001:%x:%x:%x:%x:%x:%x:%x" % tuple(rnd.randint(0x100, 0xffff) for _ in range(7)),
    "fe80::%x:%x:%x:%x%%eth0" % tuple(rnd.randint(0x100, 0xffff) for _ in range(4)),
    "::ffff:%s" % priv4(),
    "2606:4700::%x" % rnd.randint(0x1000, 0xffff),
])
for _ in range(40):
    v = rnd.choice([pub4, priv4, pub4, v6])()
    doc(rnd.choice(["client={v} status=200", "Connection from {v} port 51234", "ssh admin@{v}", "peer {v} GET /health 200",
                    "proxy: http://{v}:3128", "allowlist {v}/32", "X-Forwarded-For: {v}", "server {v}:443 failed"]).format(v=L("IPAddress", v)))
doc("Versions 4.2.0.1 and v10.0.0.1, OID 2.5.4.3, and the section numbers 3.1.4.1 are not hosts.")
doc("SNMP OID 1.3.6.1.2.1.1.5.0; firmware 2.10.3.4; dates 2024.01.15.")

# ---------- credentials real data holds ----------
B64S = B64
for _ in range(8):
    sk = rs(B64S, 40)
    doc(rnd.choice(["aws configure set aws_secret_access_key {v}", "\"SecretAccessKey\": \"{v}\",", "AWS_SECRET_ACCESS_KEY={v}",
                    "aws_secret = '{v}'"]).format(v=L("AwsSecretKey", sk)))
for _ in range(8):
    doc(rnd.choice(["\"AccessKeyId\": \"{v}\",", "export AWS_ACCESS_KEY_ID={v}", "key id {v} was used from a laptop"]).format(
        v=L("AwsAccessKeyId", rnd.choice(["AKIA", "ASIA"]) + rs("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))))
def bedrock_long():
    raw = f"BedrockAPIKey-{rs(string.ascii_lowercase + D, 4)}-at-{digits(12)}:{rs(B64S, 40)}="
    return "ABSK" + base64.b64encode(raw.encode()).decode()
def bedrock_short():
    url = f"bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA{rs(U + '234567', 16)}%2F20250801%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20250801T101010Z&X-Amz-Expires=43200&X-Amz-Security-Token={rs(B64S, 120)}&X-Amz-Signature={rs('0123456789abcdef', 64)}&Version=1"
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()
for _ in range(8):
    doc(rnd.choice(["export AWS_BEARER_TOKEN_BEDROCK={v}", "bedrock_api_key = \"{v}\"", "The Bedrock key {v} was pasted in chat."]).format(
        v=L("AwsBedrockApiKey", bedrock_long() if rnd.random() < 0.6 else bedrock_short())))
for _ in range(8):
    tok = rnd.choice(["FwoGZXIvYXdzE", "IQoJb3JpZ2luX2VjE"]) + rs(B64S, 300)
    doc(rnd.choice(["aws_session_token = {v}", "\"SessionToken\": \"{v}\"", "AWS_SESSION_TOKEN={v}"]).format(v=L("AwsSessionToken", tok)))
def entra(): return rs(URLSAFE.replace("-", "") + "~.", 3) + rnd.choice(D) + "Q~" + rs(string.ascii_letters + D + "_~.-", 34)
for _ in range(8):
    doc(rnd.choice(["AZURE_CLIENT_SECRET={v}", "\"clientSecret\": \"{v}\"", "client secret value: {v}", "ClientSecret = '{v}'"]).format(v=L("AzureClientSecret", entra())))
for _ in range(6):
    doc(rnd.choice(["ANTHROPIC_API_KEY=\"{v}\"", "claude key {v}", "x-api-key: {v}"]).format(
        v=L("AnthropicApiKey", rnd.choice(["sk-ant-api03-", "sk-ant-sid01-", "sk-ant-"]) + rs(URLSAFE, rnd.choice([40, 93])) + rnd.choice(["AA", ""]))))
for _ in range(6):
    doc(rnd.choice(["SLACK_TOKEN={v}", "refresh with {v}", "token: {v}"]).format(
        v=L("SlackToken", rnd.choice([f"xoxe.xoxp-1-{rs(B62, 140)}", f"xoxe-1-{rs(B62, 140)}", f"xoxp-{digits(12)}-{digits(12)}-{digits(13)}-{rs('0123456789abcdef', 32)}"]))))
def pem_b64():
    return base64.b64encode(pem(rnd.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"])).encode()).decode()
for _ in range(6):
    v = pem_b64()
    if rnd.random() < 0.5:
        v = "\n".join(v[i:i+76] for i in range(0, len(v), 76))
        doc("tls.key (base64):\n" + L("PrivateKey", v) + "\n\nApply it with kubectl.")
    else:
        doc(rnd.choice(["  tls.key: {v}", "PRIVATE_KEY_B64=\"{v}\""]).format(v=L("PrivateKey", v)))
for _ in range(8):
    pw = rnd.choice(["secret", "s3cret", "hunter2", "Winter2024!", rs(string.ascii_letters + D, 12), "admin123"])
    doc(rnd.choice(["postgresql://app:{v}@db.prod.internal:5432/orders", "redis://:{v}@cache-01:6379/0", "amqp://svc:{v}@mq.internal//",
                    "mysql://root:{v}@127.0.0.1/app"]).format(v=L("UrlCredential", pw)))
for _ in range(8):
    pw = rnd.choice(["s3cret!", "hunter2", "Passw0rd123", rs(string.ascii_letters + D, 14)])
    doc(rnd.choice(["curl -u admin:{v} https://jenkins.internal/api/json", "curl --user deploy:{v} -X POST https://nexus.internal/upload",
                    "wget --user=ci --password=x; curl -u 'ci:{v}' https://repo.internal"]).format(v=L("Secret", pw)))
# shapes
for _ in range(8):
    v = iban(True).replace(" ", "")
    v = rnd.choice([v.lower(), "-".join(v[i:i+4] for i in range(0, len(v), 4)), " ".join(v[i:i+4] for i in range(0, len(v), 4)).lower()])
    doc(rnd.choice(["iban: {v}", "Pay to {v} (Beneficiary).", "bank account {v}"]).format(v=L("IBAN", v)))
def jwt_none():
    h = b64url({"alg": "none", "typ": "JWT"}); p = b64url({"sub": digits(6), "admin": True})
    return rnd.choice([f"{h}.{p}.", f"{h}.{p}"])
for _ in range(6):
    doc(rnd.choice(["Cookie: session={v}", "unsigned token {v} was accepted", "id_token={v}"]).format(v=L("JWT", jwt_none())))
for _ in range(6):
    doc(rnd.choice(["Write to {v}.", "Owner: {v}"]).format(v=L("Email", f"{rnd.choice(NAMES)}@{rnd.choice(['xn--bcher-kva.ch', 'xn--mller-kva.de', 'mail.xn--p1ai', 'xn--80ak6aa92e.com'])}")))
# false-positive traps
doc('LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"\nSECRET_ID: "prod/db/password"\napi_key_name = "OPENAI-API-KEY"\nTOKEN_ENV_VAR=GITHUB_TOKEN')
doc("password_min_length = 12\ntoken_ttl = 3600\nsecret_rotation_days: 90\nPASSWORD_POLICY=STRONG-DEFAULT")
doc("The IBAN DE89 3704 0044 0532 0130 01 fails its check and its digits 3704 0044 0532 0130 are not a card.")
doc("Docs keys: AKIAIOSFODNN7EXAMPLE, sk_test_4eC39HqLyjWDarjtT1zdp7dc and the jwt.io sample eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c are public examples.")
doc(f"Hashes and ids: sha256 {rs('0123456789abcdef', 64)}, uuid 3f2b8c1e-9d4a-4e7b-8c2d-{rs('0123456789abcdef', 12)}, commit {rs('0123456789abcdef', 40)}, at 2024-05-17T08:15:30.123Z.")
doc(f"Order numbers {digits(10)}, {digits(12)} and {digits(9)}; version 3.14.159; build 20240517.3.")


# ---------- keys split across string literals ----------
def split_pieces(key, n):
    cuts = sorted(rnd.sample(range(8, len(key) - 4), n - 1))
    return [key[a:b] for a, b in zip([0] + cuts, cuts + [len(key)])]
split_keys = [("AnthropicApiKey", lambda: "sk-ant-api03-" + rs(URLSAFE, 93) + "AA"), ("OpenAIKey", lambda: "sk-proj-" + rs(URLSAFE, 60)),
              ("GitHubToken", lambda: github(True)), ("AwsAccessKeyId", lambda: "AKIA" + rs(string.ascii_uppercase + "234567", 16)),
              ("SlackToken", lambda: f"xoxb-{digits(12)}-{digits(13)}-{rs(B62, 24)}")]
for _ in range(16):
    t, gen = rnd.choice(split_keys)
    q = rnd.choice(['"', "'"])
    pieces = split_pieces(gen(), rnd.choice([2, 2, 3]))
    joiner = rnd.choice([" + ", "+", " +\n    ", "\n    + "])
    chain = joiner.join(q + p + q for p in pieces)
    inner = chain[1:-1]
    doc(rnd.choice(["api_key = {q}{v}{q}", "const token = {q}{v}{q};", "client = Client({q}{v}{q})"]).format(q=q, v=L(t, inner)))
doc('greeting = "Hello, " + "world"\nurl = "https://" + host + "/v1"\nlabel = "sk-" + "learn"')

print("\n=====\n".join(docs))
