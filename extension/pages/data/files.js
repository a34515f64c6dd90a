// @ts-check
// Files between a page and the core, in pieces (pycore/transfers): a bridge message may be at most
// 64 MiB and only carries JSON, so bytes travel as base64, one piece per request.

/**
 * A slice of a file as base64 (the browser encodes it natively).
 * @param {Blob} blob
 * @returns {Promise<string>}
 */
function base64Of(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * Upload a picked file; returns its upload id. ``onProgress(sent, total)`` after each piece.
 * @param {File} file
 * @param {Mettri.transfers.Purpose} purpose
 * @param {(sent: number, total: number) => void} [onProgress]
 */
export async function upload(file, purpose, onProgress) {
  const info = await MettriApi.transfer.begin({ file_name: file.name || "arquivo", size: file.size, purpose });
  let sent = 0;
  for (let index = 0; index < info.chunks; index++) {
    const piece = file.slice(index * info.chunk_bytes, (index + 1) * info.chunk_bytes);
    await MettriApi.transfer.put({ id: info.id, index, data: await base64Of(piece) }, { timeoutMs: 120_000 });
    sent += piece.size;
    if (onProgress) onProgress(sent, file.size);
  }
  return info.id;
}

/**
 * Fetch a file the core prepared (transfer.get, piece by piece) and hand it to the browser to save.
 * @param {Mettri.transfers.TransferInfo} info
 * @returns {Promise<Blob>}
 */
export async function fetchPrepared(info) {
  /** @type {Blob[]} */
  const parts = [];
  let mime = "application/octet-stream";
  for (let index = 0; index < info.chunks; index++) {
    const piece = await MettriApi.transfer.get({ id: info.id, index }, { timeoutMs: 120_000 });
    mime = piece.mime;
    parts.push(await (await fetch(`data:application/octet-stream;base64,${piece.data}`)).blob());
    if (piece.last) break;
  }
  await MettriApi.transfer.discard({ id: info.id });
  return new Blob(parts, { type: mime });
}

/**
 * Save a blob as a file (no downloads permission needed).
 * @param {Blob} blob
 * @param {string} filename
 */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
