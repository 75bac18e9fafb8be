using NetGen.Kernels;

namespace NetGen.Tests.ConvKernels;

public class AllocationTests
{
    [Fact]
    public void KernelsAllocateNothingPerCall()
    {
        const int batch = 2;
        var conv = new Conv2DShape(2, 8, 8, 3, 3, 3, 1, 1);
        var conv1 = new Conv1DShape(2, 16, 3, 3, 2, 1);
        var pool = new Pool2DShape(3, 8, 8, 2, 2);
        var rng = new Rng(81);
        var x = Reference.RandomFloats(batch * conv.InputSize, ref rng);
        var w = Reference.RandomFloats(conv.WeightSize, ref rng);
        var b = new float[conv.OutChannels];
        var y = new float[batch * conv.OutputSize];
        var dy = new float[y.Length];
        var dw = new float[w.Length];
        var db = new float[b.Length];
        var dx = new float[x.Length];
        var ws = new float[Math.Max(Conv2D.WorkspaceSize(conv), Conv1D.WorkspaceSize(conv1))];
        var p = new float[batch * pool.OutputSize];
        var argmax = new int[p.Length];
        var mask = new float[y.Length];

        void Step(ref Rng r)
        {
            Conv2D.Forward<Relu>(conv, batch, x, w, b, y, ws);
            Conv2D.Backward<Relu>(conv, batch, x, w, y, dy, dw, db, dx, ws);
            Conv1D.Forward<Tanh>(conv1, batch, x, w, b, y, ws);
            Conv1D.Backward<Tanh>(conv1, batch, x, w, y, dy, dw, db, dx, ws);
            MaxPool2D.Forward(pool, batch, y, p, argmax);
            MaxPool2D.Backward(pool, batch, argmax, p, dy);
            AvgPool2D.Forward(pool, batch, y, p);
            AvgPool2D.Backward(pool, batch, p, dy);
            Dropout.Forward(0.5f, y, y, mask, ref r);
            Dropout.Backward(mask, dy, dy);
        }

        for (int i = 0; i < 3; i++) Step(ref rng); // warm up (first-call JIT work allocates)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step(ref rng);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
