using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Errors;

namespace Nabla.Data;

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzip-compressed; compression is detected by the gzip magic bytes
/// 1f 8b, not by the file name.
/// </summary>
/// <remarks>
/// Layout after decompression: a big-endian uint32 magic whose bytes are 0, 0, the element type (0x08 = unsigned
/// byte, the only type supported here) and the number of dimensions; one big-endian uint32 per dimension; then the
/// elements, row-major. The header is validated before any data buffer is allocated: the declared size must fit
/// under <see cref="MaxBytes"/>, must equal the remaining length of a raw file, and must be reachable from the
/// compressed length of a gzip file (deflate expands at most 1032:1). Truncated data or bytes left after the declared
/// data are errors too. Every format problem raises a <see cref="DataFormatException"/> naming the file.
/// </remarks>
public static class IdxReader
{
    /// <summary>The default cap on the declared data size, in bytes (1 GiB; MNIST's training images take 47 MB).</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>The most dimensions a header may declare.</summary>
    public const int MaxDimensions = 16;

    private const int DeflateMaxRatio = 1032;

    /// <summary>The cap on the declared data size, in bytes, applied to every read (default <see cref="DefaultMaxBytes"/>; at most <see cref="Array.MaxLength"/>).</summary>
    public static long MaxBytes
    {
        get => _maxBytes;
        set
        {
            if (value < 0 || value > Array.MaxLength) throw new ValueException($"IdxReader.MaxBytes: must be in [0, {Array.MaxLength}], got {value}");
            _maxBytes = value;
        }
    }
    private static long _maxBytes = DefaultMaxBytes;

    /// <summary>Reads an IDX file, raw or gzip-compressed.</summary>
    /// <param name="path">The file.</param>
    /// <param name="expectedRank">When given, the number of dimensions the file must declare (3 for images, 1 for labels).</param>
    public static IdxData Read(string path, int? expectedRank = null)
    {
        using var fs = Open(path);
        return Read(fs, Path.GetFileName(path), expectedRank);
    }

    private static FileStream Open(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (FileNotFoundException) { throw new DataFormatException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new DataFormatException($"{path}: file not found (its folder does not exist)"); }
    }

    /// <summary>
    /// Reads IDX data from a stream, raw or gzip-compressed. When the stream can seek, its length bounds the declared size.
    /// </summary>
    /// <param name="stream">The stream, positioned at the start of the data; it is read to its end but not closed.</param>
    /// <param name="name">A name for messages (usually the file name).</param>
    /// <param name="expectedRank">When given, the number of dimensions the data must declare.</param>
    public static IdxData Read(Stream stream, string name, int? expectedRank = null)
    {
        var (dims, bytes) = ReadAny(stream, name, expectedRank);
        return new IdxData(name, dims, bytes);
    }

    private static (int[] Dims, byte[] Bytes) ReadAny(Stream stream, string name, int? expectedRank)
    {
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> sig = stackalloc byte[2];
        int got = ReadFully(stream, sig, name);
        bool gz = got == 2 && sig[0] == 0x1f && sig[1] == 0x8b;
        var replay = new PrefixedStream(sig[..got].ToArray(), stream);
        if (!gz) return ReadRaw(replay, name, expectedRank, remaining, null, null);
        uint? trailerSize = remaining is long rem ? GzipTrailerSize(stream, rem - got) : null;
        using var unzip = new GZipStream(replay, CompressionMode.Decompress, leaveOpen: true);
        long? bound = remaining is long r ? checked(r * DeflateMaxRatio + 64) : null;
        return ReadRaw(unzip, name, expectedRank, null, bound, trailerSize);
    }

    // The ISIZE field of a seekable gzip stream (its last 4 bytes: the uncompressed length mod 2^32), read without moving
    // the stream; null when the stream is too short or cannot be read there.
    private static uint? GzipTrailerSize(Stream stream, long remaining)
    {
        if (remaining < 18) return null; // 2 signature bytes already read + the smallest header and trailer
        long pos = stream.Position;
        try
        {
            Span<byte> tail = stackalloc byte[4];
            stream.Seek(remaining - 4, SeekOrigin.Current);
            int n = ReadFully(stream, tail, "gzip trailer");
            return n == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(tail) : null;
        }
        catch (IOException) { return null; }
        catch (NotSupportedException) { return null; }
        finally { stream.Position = pos; }
    }

    private static (int[] Dims, byte[] Bytes) ReadRaw(Stream s, string name, int? expectedRank,
        long? exactLength, long? upperBound, uint? gzipSize)
    {
        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(s, head, name);
        if (got < 4) throw new DataFormatException($"{name}: truncated: a 4-byte IDX magic number expected, found {got} bytes");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(head);
        int rank = head[3];
        string expectedMagic = expectedRank is int er ? $"0x{0x800 | er:x8}" : "0x000008NN (NN = number of dimensions)";
        if (head[0] != 0 || head[1] != 0)
            throw new DataFormatException($"{name}: magic {expectedMagic} expected, found 0x{magic:x8} (not an IDX file)");
        if (head[2] != 0x08)
            throw new DataFormatException($"{name}: magic {expectedMagic} expected, found 0x{magic:x8}: element type 0x08 (unsigned byte) expected, found 0x{head[2]:x2} ({TypeName(head[2])})");
        if (expectedRank is int want && rank != want)
            throw new DataFormatException($"{name}: magic {expectedMagic} expected, found 0x{magic:x8}: {want} dimensions expected, found {rank}");
        if (rank < 1 || rank > MaxDimensions)
            throw new DataFormatException($"{name}: 1 to {MaxDimensions} dimensions expected in the IDX header, found {rank}");

        Span<byte> dimBytes = stackalloc byte[4 * rank];
        got = ReadFully(s, dimBytes, name);
        if (got < dimBytes.Length) throw new DataFormatException($"{name}: truncated header: {rank} dimension sizes ({4 * rank} bytes) expected, found {got} bytes");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.Slice(4 * i, 4));
            if (d > int.MaxValue) throw new DataFormatException($"{name}: dimension {i} declares {d} elements; at most {int.MaxValue} supported");
            dims[i] = (int)d;
            total = total * d;
            if (total > MaxBytes)
                throw new DataFormatException($"{name}: header declares [{string.Join(",", dims[..(i + 1)])}{(i + 1 < rank ? ",…" : "")}]: at least {total} bytes of data, more than the limit of {MaxBytes} (IdxReader.MaxBytes)");
        }
        long headerLength = 4 + 4L * rank;
        string shape = $"[{string.Join(",", dims)}]";
        if (exactLength is long len && len - headerLength != total)
            throw new DataFormatException(len - headerLength < total
                ? $"{name}: truncated: header declares {shape} = {total} bytes of data, the file holds {len - headerLength}"
                : $"{name}: header declares {shape} = {total} bytes of data, the file holds {len - headerLength} (trailing bytes)");
        if (upperBound is long ub && total > ub)
            throw new DataFormatException($"{name}: truncated: header declares {shape} = {total} bytes of data, more than the compressed file can hold (at most {ub})");

        // When the gzip trailer confirms the declared size, the buffer is allocated once (no doubling copies: the peak
        // memory of loading MNIST). Otherwise it grows as data arrives, so a header that lies about the size of a
        // compressed stream costs at most twice the data actually present.
        bool sizeKnown = exactLength is not null || gzipSize is uint isize && (uint)(headerLength + total) == isize;
        // A gzip file whose trailer (CRC-32, length) is cut off, or that has bytes appended, still inflates to the right
        // length, but zlib never gets to check its CRC: its last 4 bytes must be the length of the data.
        void CheckTrailer()
        {
            if (gzipSize is uint recorded && recorded != (uint)(headerLength + total))
                throw new DataFormatException($"{name}: the gzip trailer records {recorded} bytes, the data holds {headerLength + total}: the file is truncated in its trailer or has bytes appended (a file of several gzip members is not supported)");
        }
        Span<byte> extra = stackalloc byte[1];
        var data = GC.AllocateUninitializedArray<byte>((int)(sizeKnown ? total : Math.Min(total, 1 << 22)));
        int filled = 0;
        while (true)
        {
            filled += ReadFully(s, data.AsSpan(filled), name);
            if (filled < data.Length)
                throw new DataFormatException($"{name}: truncated: header declares {shape} = {total} bytes of data, found {filled}");
            if (filled == total) break;
            Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
        }
        if (ReadFully(s, extra, name) != 0)
            throw new DataFormatException($"{name}: header declares {shape} = {total} bytes of data, but more bytes follow (trailing data)");
        CheckTrailer();
        return (dims, data);
    }

    private static string TypeName(byte t) => t switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX element type",
    } + (t is 0x09 or 0x0B or 0x0C or 0x0D or 0x0E ? ", not supported" : "");

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read. Wraps gzip corruption.</summary>
    private static int ReadFully(Stream s, Span<byte> buffer, string name)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = s.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            // zlib's own text for damaged data is often "compressed using an unsupported compression method": misleading.
            throw new DataFormatException($"{name}: corrupt gzip data: the compressed stream or its CRC-32 does not check out (the file is damaged or incompletely downloaded)", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{name}: truncated gzip data: {e.Message}", e);
        }
        return total;
    }
}
