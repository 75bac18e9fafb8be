namespace NetGen.Tests.Runtime;

public class AlignedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(235_146)]
    public unsafe void StartsOnA64ByteBoundaryZeroedWithTheRequestedLength(int length)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var buffer = new AlignedBuffer(length);
            Span<float> all = buffer;
            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, all.Length);
            fixed (float* p = buffer.AsSpan()) Assert.Equal(0, (nint)p % 64);
            Assert.True(all.IndexOfAnyExcept(0f) < 0);
        }
    }

    [Fact]
    public void SlicesShareTheStorageAndStayInsideTheBuffer()
    {
        var buffer = new AlignedBuffer(10);
        buffer.AsSpan(3, 4).Fill(2f);
        Assert.Equal([0f, 0f, 0f, 2f, 2f, 2f, 2f, 0f, 0f, 0f], buffer.AsSpan().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AsSpan(8, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
    }
}
