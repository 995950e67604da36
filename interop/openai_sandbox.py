"""The official `openai` Python client against a running sandbox (run by hand).

    usvc sandbox &            # prints the export line; then:
    export UNITYSVC_API_BASE_URL=... UNITYSVC_API_KEY=...
    python3 interop/openai_sandbox.py

Each check prints PASS or FAIL; the exit code is the number of failures.
"""

import json
import os
import sys

import openai

gateway = os.environ["UNITYSVC_API_BASE_URL"].rstrip("/")
key = os.environ["UNITYSVC_API_KEY"]
client = openai.OpenAI(base_url=f"{gateway}/g/llm", api_key=key)
TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Forecast",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]}}}
results = []


def check(name):
    def run(f):
        try:
            f()
            results.append((name, None))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            results.append((name, e))
    return run


@check("chat")
def _():
    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi there"}])
    assert r.choices[0].message.content == "Echo: hi there", r
    assert r.usage.total_tokens > 0


@check("stream with usage")
def _():
    text, usage = "", None
    for chunk in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "stream me"}], stream=True,
            stream_options={"include_usage": True}):
        for c in chunk.choices:
            text += c.delta.content or ""
        usage = chunk.usage or usage
    assert text == "Echo: stream me", text
    assert usage and usage.completion_tokens == 3, usage


@check("tools")
def _():
    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}],
                                       tools=[TOOL], tool_choice="required")
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"city": "sandbox"}


@check("streamed tools")
def _():
    args, fragments = "", 0
    for chunk in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], tools=[TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}}, stream=True):
        for c in chunk.choices:
            for t in c.delta.tool_calls or []:
                if t.function and t.function.arguments:
                    fragments += 1
                    args += t.function.arguments
    assert fragments > 1 and json.loads(args) == {"city": "sandbox"}, (fragments, args)


@check("unknown model is a typed error")
def _():
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    except openai.NotFoundError as e:
        assert e.code == "model_not_found", e.body
        return
    raise AssertionError("no error")


@check("embeddings with dimensions")
def _():
    e = openai.OpenAI(base_url=f"{gateway}/g/embeddings", api_key=key).embeddings.create(
        model="m", input=["a", "b"], dimensions=12)
    assert [len(d.embedding) for d in e.data] == [12, 12]


@check("models")
def _():
    ids = [m.id for m in client.models.list()]
    assert "mistral-small-latest" in ids, ids[:5]


for name, error in results:
    print(("PASS " if error is None else "FAIL ") + name + ("" if error is None else f": {error!r}"))
failed = sum(1 for _, e in results if e is not None)
print(f"{len(results) - failed}/{len(results)} passed")
sys.exit(failed)
