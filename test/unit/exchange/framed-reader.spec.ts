/** The reply reader: the closing marker followed by pwsh's ESC[?1h in the same chunk, or split over chunks. */
import { strict as assert } from "assert";
import { PassThrough } from "stream";
import { readFramed } from "../../../components/exchange/framed-reader";

const ID = "A1b2C3d4E5f6G7h8";
const ON = "\u001b[?1h";
const OFF = "\u001b[?1l";

async function read(chunks: string[]): Promise<string> {
    const stream = new PassThrough();
    stream.setEncoding("utf8");
    const reply = readFramed(stream, ID);
    for (const c of chunks) stream.write(c);
    return (await reply).toString("utf8");
}

describe("#readFramed", () => {
    it("a whole reply in one chunk that ends with ESC[?1h after the closing marker", async () => {
        // child-shell 5's own reader never finishes on this chunk (it looks only at the last 17 bytes).
        assert.equal(await read([`${ON}${OFF}${ID}\n${ON}${OFF}[{"a":1}]\n${ON}${OFF}${ON}${OFF}${ID}\n${ON}`]), `${ON}${OFF}[{"a":1}]\n${ON}${OFF}${ON}${OFF}`);
    });

    it("markers split across chunks", async () => {
        assert.equal(await read([`x${ID.slice(0, 5)}`, `${ID.slice(5)}\nhello\n${ID.slice(0, 15)}`, `${ID.slice(15)}\n${ON}`]), "hello");
    });

    it("an empty reply and output arriving byte by byte", async () => {
        assert.equal(await read([`${ID}\n${ID}\n`]), "");
        assert.equal(await read([...`${ID}\n  body  \n${ID}`]), "body");
    });

    it("stops reading at the reply: later bytes are left for the next call", async () => {
        const stream = new PassThrough();
        stream.setEncoding("utf8");
        const first = readFramed(stream, ID);
        stream.write(`${ID}\none\n${ID}\n`);
        assert.equal((await first).toString(), "one");
        const second = readFramed(stream, "Z".repeat(16));
        stream.write(`${"Z".repeat(16)}\ntwo\n${"Z".repeat(16)}\n`);
        assert.equal((await second).toString(), "two");
    });
});
