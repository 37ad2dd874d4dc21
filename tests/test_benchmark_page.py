"""benchmark.write_page_section: each benchmark script owns one section of docs/benchmarks.md."""

from __future__ import annotations

from envfleet import benchmark


def test_sections_are_appended_then_replaced_in_place(tmp_path):
    page = tmp_path / "benchmarks.md"
    benchmark.write_page_section(page, "cartpole", "## CartPole\n\nold")
    benchmark.write_page_section(page, "atari", "## Atari\n\nfirst")
    benchmark.write_page_section(page, "cartpole", "## CartPole\n\nnew")
    text = page.read_text()
    assert text.startswith(benchmark.PAGE_TITLE)
    assert "old" not in text
    assert text.index("## CartPole\n\nnew") < text.index("## Atari\n\nfirst")
    assert text.count("<!-- cartpole:begin -->") == 1 and text.count("<!-- atari:end -->") == 1


def test_scripts_share_their_options_command_line_and_publishing(tmp_path, capsys):
    page = tmp_path / "page.md"
    parser = benchmark.script_parser("What it measures.\n\nMore.", seconds=2.0, repeats=3, out=page)
    args = parser.parse_args(["--threads", "4"])
    assert (args.seconds, args.repeats, args.threads, args.out) == (2.0, 3, 4, page)
    assert parser.description == "What it measures."
    command = benchmark.script_command("benchmarks/x.py", ["--out", "a b"])
    assert command == "python benchmarks/x.py --out 'a b'"
    benchmark.publish_section(page, "x", "## X\n\nbody")
    assert "<!-- x:begin -->\n## X\n\nbody\n<!-- x:end -->" in page.read_text()
    out, err = capsys.readouterr()
    assert out == "## X\n\nbody\n" and err == f"wrote {page}\n"
