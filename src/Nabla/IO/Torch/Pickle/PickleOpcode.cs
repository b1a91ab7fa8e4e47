namespace Nabla.IO.Torch.Pickle;

/// <summary>The pickle opcodes Nabla reads or writes (the byte values of Python's pickle protocols 0–4).</summary>
internal static class PickleOpcode
{
    public const byte Mark = (byte)'(', Stop = (byte)'.', Pop = (byte)'0', PopMark = (byte)'1', Dup = (byte)'2';
    public const byte BinInt = (byte)'J', BinInt1 = (byte)'K', BinInt2 = (byte)'M', None = (byte)'N', BinFloat = (byte)'G';
    public const byte BinPersId = (byte)'Q', Reduce = (byte)'R', Build = (byte)'b', Global = (byte)'c';
    public const byte BinString = (byte)'T', ShortBinString = (byte)'U', BinUnicode = (byte)'X';
    public const byte Append = (byte)'a', Appends = (byte)'e', EmptyList = (byte)']', List = (byte)'l';
    public const byte EmptyDict = (byte)'}', Dict = (byte)'d', SetItem = (byte)'s', SetItems = (byte)'u';
    public const byte EmptyTuple = (byte)')', TupleMark = (byte)'t';
    public const byte BinGet = (byte)'h', LongBinGet = (byte)'j', BinPut = (byte)'q', LongBinPut = (byte)'r';
    public const byte Proto = 0x80, NewObj = 0x81, Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87, NewTrue = 0x88, NewFalse = 0x89;
    public const byte Long1 = 0x8a, ShortBinUnicode = 0x8c, BinUnicode8 = 0x8d, StackGlobal = 0x93, Memoize = 0x94, Frame = 0x95;
}
