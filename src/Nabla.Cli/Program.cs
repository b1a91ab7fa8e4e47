Console.WriteLine("nabla: not implemented yet");
