using NetGen.Kernels;

namespace NetGen.Tests.ConvKernels;

/// <summary>Direct nested-loop references in double precision, the oracles for the conv and pooling kernels.</summary>
internal static class Reference
{
    public static double Activate(string act, double z) => act switch
    {
        "Identity" => z,
        "Relu" => Math.Max(0, z),
        "Tanh" => Math.Tanh(z),
        "Sigmoid" => 1 / (1 + Math.Exp(-z)),
        _ => throw new ArgumentException(act),
    };

    /// <summary>y[b,o,i,j] = act(bias[o] + Σ w[o,c,u,v]·x[b,c,i·sH+u−pH, j·sW+v−pW]), zero padding.</summary>
    public static double[] Conv2D(in Conv2DShape s, int batch, string act, double[] x, double[] w, double[]? bias)
    {
        var y = new double[batch * s.OutputSize];
        int n = 0;
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.OutHeight; i++)
        for (int j = 0; j < s.OutWidth; j++)
        {
            double z = bias?[o] ?? 0;
            for (int c = 0; c < s.InChannels; c++)
            for (int u = 0; u < s.KernelHeight; u++)
            for (int v = 0; v < s.KernelWidth; v++)
            {
                int ih = i * s.StrideHeight + u - s.PaddingHeight, iw = j * s.StrideWidth + v - s.PaddingWidth;
                if (ih < 0 || ih >= s.Height || iw < 0 || iw >= s.Width) continue;
                z += w[((o * s.InChannels + c) * s.KernelHeight + u) * s.KernelWidth + v]
                     * x[((b * s.InChannels + c) * s.Height + ih) * s.Width + iw];
            }
            y[n++] = Activate(act, z);
        }
        return y;
    }

    /// <summary>f′ through y = f(x), as the activations define it.</summary>
    public static double Derivative(string act, double y) => act switch
    {
        "Identity" => 1,
        "Relu" => y > 0 ? 1 : 0,
        "Tanh" => 1 - y * y,
        "Sigmoid" => y * (1 - y),
        _ => throw new ArgumentException(act),
    };

    /// <summary>
    /// The backward pass of <see cref="Conv2D"/> by loops over every (output, tap) pair: g = dy·act′(y), then
    /// dw[o,c,u,v] = Σ g·x, db[o] = Σ g, dx[b,c,ih,iw] = Σ w·g over the windows that read x[b,c,ih,iw].
    /// </summary>
    public static (double[] Dw, double[] Db, double[] Dx) Conv2DBackward(in Conv2DShape s, int batch, string act,
        double[] x, double[] w, double[] y, double[] dy)
    {
        var (dw, db, dx) = (new double[s.WeightSize], new double[s.OutChannels], new double[x.Length]);
        int n = 0;
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.OutHeight; i++)
        for (int j = 0; j < s.OutWidth; j++, n++)
        {
            double g = dy[n] * Derivative(act, y[n]);
            db[o] += g;
            for (int c = 0; c < s.InChannels; c++)
            for (int u = 0; u < s.KernelHeight; u++)
            for (int v = 0; v < s.KernelWidth; v++)
            {
                int ih = i * s.StrideHeight + u - s.PaddingHeight, iw = j * s.StrideWidth + v - s.PaddingWidth;
                if (ih < 0 || ih >= s.Height || iw < 0 || iw >= s.Width) continue;
                int wi = ((o * s.InChannels + c) * s.KernelHeight + u) * s.KernelWidth + v;
                int xi = ((b * s.InChannels + c) * s.Height + ih) * s.Width + iw;
                dw[wi] += g * x[xi];
                dx[xi] += g * w[wi];
            }
        }
        return (dw, db, dx);
    }

    /// <summary>y[b,o,i] = act(bias[o] + Σ w[o,c,u]·x[b,c,i·stride+u−padding]), written separately from the 2-D one.</summary>
    public static double[] Conv1D(in Conv1DShape s, int batch, string act, double[] x, double[] w, double[]? bias)
    {
        var y = new double[batch * s.OutputSize];
        int n = 0;
        for (int b = 0; b < batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.OutLength; i++)
        {
            double z = bias?[o] ?? 0;
            for (int c = 0; c < s.InChannels; c++)
            for (int u = 0; u < s.Kernel; u++)
            {
                int t = i * s.Stride + u - s.Padding;
                if (t >= 0 && t < s.Length) z += w[(o * s.InChannels + c) * s.Kernel + u] * x[(b * s.InChannels + c) * s.Length + t];
            }
            y[n++] = Activate(act, z);
        }
        return y;
    }

    /// <summary>Max (or mean) over each window of each channel, no padding.</summary>
    public static double[] Pool2D(in Pool2DShape s, int batch, bool max, double[] x)
    {
        var y = new double[batch * s.OutputSize];
        int n = 0;
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < s.Channels; c++)
        for (int i = 0; i < s.OutHeight; i++)
        for (int j = 0; j < s.OutWidth; j++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            for (int u = 0; u < s.Window; u++)
            for (int v = 0; v < s.Window; v++)
            {
                double value = x[((b * s.Channels + c) * s.Height + i * s.Stride + u) * s.Width + j * s.Stride + v];
                acc = max ? Math.Max(acc, value) : acc + value;
            }
            y[n++] = max ? acc : acc / (s.Window * s.Window);
        }
        return y;
    }

    /// <summary>Central differences of <paramref name="loss"/> with respect to every entry of <paramref name="theta"/>.</summary>
    public static double[] NumericGradient(double[] theta, Func<double> loss, double eps = 1e-6)
    {
        var g = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            double keep = theta[i];
            theta[i] = keep + eps; double up = loss();
            theta[i] = keep - eps; double down = loss();
            theta[i] = keep;
            g[i] = (up - down) / (2 * eps);
        }
        return g;
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static float[] RandomFloats(int n, ref Rng rng, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = scale * (2f * rng.NextFloat() - 1f);
        return a;
    }

    public static double[] ToDouble(ReadOnlySpan<float> a)
    {
        var d = new double[a.Length];
        for (int i = 0; i < a.Length; i++) d[i] = a[i];
        return d;
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the tensor and index on failure.</summary>
    public static void Close(string what, double[] expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-4)
    {
        Assert.True(actual.Length >= expected.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= atol + rtol * Math.Abs(expected[i]),
                $"{what}[{i}]: got {actual[i]}, expected {expected[i]} (error {err:g3})");
        }
    }
}
